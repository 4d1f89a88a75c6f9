@{
    RootModule           = 'WsusDiag.psm1'
    # Must equal the native library's version (wsusdiag_version()); the module refuses to load
    # otherwise. wsusdiag-ffi/tests/ps_decls.py checks it against the crate's version.
    ModuleVersion        = '0.1.0'
    GUID                 = 'f8ede0a3-149d-4fe0-8ff9-d3c0503ca138'
    Author               = 'wsusdiag developers'
    Copyright            = '(c) wsusdiag developers. MIT OR Apache-2.0.'
    Description          = 'Tells why Windows computers do not get their updates from WSUS: reads WindowsUpdate.log and SoftwareDistribution.log, joins client and server faults, and names the known issue and its fix.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FunctionsToExport    = @('Get-WsusDiagReport', 'Get-WsusDiagLogRecord', 'Resolve-WsusDiagError')
    CmdletsToExport      = @()
    VariablesToExport    = @()
    # The commands' first names.
    AliasesToExport      = @('Get-WsusDiagnosis', 'Get-WsusLogRecord', 'Resolve-WUError')
    FormatsToProcess     = @('WsusDiag.format.ps1xml')
    # The module compiles its P/Invoke declarations with Add-Type: no assembly, no nested module.
    RequiredAssemblies   = @()
    NestedModules        = @()
    # What the Windows zip's WsusDiag folder holds (scripts/test-windows checks it against the zip).
    FileList             = @('WsusDiag.psd1', 'WsusDiag.psm1', 'WsusDiag.format.ps1xml', 'wsusdiag.dll')
    PrivateData          = @{
        PSData = @{
            Tags       = @('WSUS', 'WindowsUpdate', 'Diagnostics', 'Logs')
            ProjectUri = 'https://github.com/wsusdiag/wsusdiag'
        }
    }
}
