// Parses PowerShell files with the tree-sitter PowerShell grammar and reports syntax errors:
// a check of the module's syntax where no PowerShell is installed.
//
//   node ps_syntax.cjs FILE...      (needs the npm packages web-tree-sitter and tree-sitter-powershell)
//
// Exits 1 if any file has an error or a missing node. The grammar is not PowerShell's own
// parser: it catches unbalanced braces, quotes and here-strings, not every mistake.
'use strict';
const fs = require('fs');
const path = require('path');
const { Parser, Language } = require('web-tree-sitter');

(async () => {
  await Parser.init();
  const wasm = path.join(path.dirname(require.resolve('tree-sitter-powershell/package.json')), 'tree-sitter-powershell.wasm');
  const parser = new Parser();
  parser.setLanguage(await Language.load(wasm));
  let bad = 0;
  for (const file of process.argv.slice(2)) {
    const tree = parser.parse(fs.readFileSync(file, 'utf8'));
    const errors = [];
    const walk = (node) => {
      if (node.isError || node.isMissing) {
        errors.push(`${file}:${node.startPosition.row + 1}:${node.startPosition.column + 1}: ` +
          `${node.isMissing ? 'missing ' + node.type : 'syntax error'} near ${JSON.stringify(node.text.slice(0, 60))}`);
      }
      for (let i = 0; i < node.childCount; i++) walk(node.child(i));
    };
    walk(tree.rootNode);
    errors.forEach((e) => console.error(e));
    console.log(`${file}: ${errors.length ? errors.length + ' syntax error(s)' : 'parses cleanly'}`);
    bad += errors.length ? 1 : 0;
  }
  process.exit(bad ? 1 : 0);
})();
