#Requires -Version 5.1
<#
    WsusDiag: PowerShell front end of the wsusdiag native library (wsusdiag.dll).

    The library is loaded by absolute path, from the first of:
      1. $env:WSUSDIAG_LIBRARY (a full path to the library file), when set;
      2. <module folder>\runtimes\<rid>\native\wsusdiag.dll, <rid> being win-x64, win-arm64 or
         win-x86 after the process (linux-x64 / osx-arm64 ... and libwsusdiag.so / .dylib on
         PowerShell 7 elsewhere);
      3. <module folder>\wsusdiag.dll (or libwsusdiag.so / libwsusdiag.dylib).
    Its version (wsusdiag_version()) must equal the module's version, or the import fails.

    The P/Invoke declarations below mirror include/wsusdiag.h: inputs are byte[] + UIntPtr
    (UTF-8), outputs are out IntPtr / out UIntPtr, every call is Cdecl. The test
    wsusdiag-ffi/tests/ps_decls.py checks them against the header, and tests/test_ctypes.py
    calls the library exactly as they do.
#>

Set-StrictMode -Version 3.0

$script:NativeSource = @'
using System;
using System.Runtime.InteropServices;
using System.Text;

namespace WsusDiag
{
    /// <summary>wsusdiag_result: what a call did.</summary>
    public enum Result
    {
        Ok = 0,
        End = 1,
        NullParameter = 100,
        InvalidUtf8 = 101,
        InvalidArgument = 102,
        UnknownFormat = 200,
        Io = 400,
        NotFound = 401,
        PermissionDenied = 402,
        TooLarge = 403,
        RulesInvalid = 500,
        OutOfMemory = 600,
        Panic = 900,
        Internal = 901
    }

    /// <summary>wsusdiag_record_kind: what a record row holds.</summary>
    public enum RecordKind
    {
        Client = 1,
        Server = 2,
        Malformed = 3
    }

    /// <summary>wsusdiag_log_kind: which log a reader reads.</summary>
    public enum LogKind
    {
        Unknown = 0,
        ClientClassic = 1,
        ClientWin10 = 2,
        ClientEtl = 3,
        Server = 4,
        ClientFragment = 5,
        ServerFragment = 6,
        ClientConfigMgr = 7,
        ServerConfigMgr = 8
    }

    /// <summary>What a diagnosis is rendered as: which wsusdiag_diagnosis_to_* is called.</summary>
    public enum ReportForm
    {
        Json = 0,
        Text = 1,
        Html = 2,
        Ndjson = 3
    }

    /// <summary>wsusdiag_str: a borrowed UTF-8 string, not NUL-terminated.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Str
    {
        public IntPtr Ptr;
        public UIntPtr Len;
    }

    /// <summary>wsusdiag_record: one row of a log; its strings live until the next call.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Record
    {
        public int Kind;
        public uint Line;
        public uint EndLine;
        public uint Column;
        public uint HasTime;
        public uint Truncated;
        public ulong Offset;
        public long TimeMs;
        public long Pid;
        public long Tid;
        public long Thread;
        public Str Component;
        public Str Source;
        public Str Level;
        public Str Process;
        public Str Message;
        public Str Continuation;
        public Str Error;
        public Str Text;
    }

    /// <summary>The C API, one declaration per function of wsusdiag.h.</summary>
    public static class Native
    {
        public const string Library = @"__WSUSDIAG_LIBRARY__";

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern IntPtr wsusdiag_version();

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern IntPtr wsusdiag_result_name(int result);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int wsusdiag_last_error_message([Out] byte[] buf, UIntPtr len, out UIntPtr messageLenOut);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int wsusdiag_diagnose_files(byte[] paths, UIntPtr pathsLen, byte[] rules, UIntPtr rulesLen, out IntPtr diagnosisOut);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int wsusdiag_diagnose_buffers(byte[] data, UIntPtr dataLen, UIntPtr[] lengths, UIntPtr count, byte[] names, UIntPtr namesLen, byte[] rules, UIntPtr rulesLen, out IntPtr diagnosisOut);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int wsusdiag_diagnosis_to_json(IntPtr diagnosis, out IntPtr jsonOut, out UIntPtr jsonLenOut);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int wsusdiag_diagnosis_to_text(IntPtr diagnosis, out IntPtr textOut, out UIntPtr textLenOut);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int wsusdiag_diagnosis_to_html(IntPtr diagnosis, out IntPtr htmlOut, out UIntPtr htmlLenOut);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int wsusdiag_diagnosis_to_ndjson(IntPtr diagnosis, out IntPtr ndjsonOut, out UIntPtr ndjsonLenOut);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int wsusdiag_diagnosis_has_faults(IntPtr diagnosis, out byte hasFaultsOut);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern void wsusdiag_diagnosis_free(IntPtr diagnosis);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern void wsusdiag_buffer_free(IntPtr ptr, UIntPtr len);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int wsusdiag_hresult_lookup(byte[] code, UIntPtr codeLen, out IntPtr jsonOut, out UIntPtr jsonLenOut);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int wsusdiag_log_open(byte[] path, UIntPtr pathLen, out IntPtr readerOut);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int wsusdiag_log_from_buffer(byte[] name, UIntPtr nameLen, byte[] data, UIntPtr dataLen, out IntPtr readerOut);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int wsusdiag_log_reader_next(IntPtr reader, out Record recordOut);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int wsusdiag_log_reader_kind(IntPtr reader, out int kindOut);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern void wsusdiag_log_reader_free(IntPtr reader);

        // Analyse, then combine: declared for callers of this class; no command uses them.
        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int wsusdiag_analyse_files(byte[] paths, UIntPtr pathsLen, byte[] rules, UIntPtr rulesLen, out IntPtr analysisOut);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int wsusdiag_analyse_buffers(byte[] data, UIntPtr dataLen, UIntPtr[] lengths, UIntPtr count, byte[] names, UIntPtr namesLen, byte[] rules, UIntPtr rulesLen, out IntPtr analysisOut);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int wsusdiag_analysis_to_bytes(IntPtr analysis, out IntPtr bytesOut, out UIntPtr bytesLenOut);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int wsusdiag_analysis_from_bytes(byte[] bytes, UIntPtr bytesLen, out IntPtr analysisOut);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int wsusdiag_analysis_merge(IntPtr a, IntPtr b, out IntPtr mergedOut);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern int wsusdiag_combine(IntPtr[] analyses, UIntPtr count, byte[] rules, UIntPtr rulesLen, out IntPtr diagnosisOut);

        [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
        public static extern void wsusdiag_analysis_free(IntPtr analysis);
    }

    /// <summary>A call into wsusdiag failed.</summary>
    public class WsusDiagException : Exception
    {
        private readonly Result result;
        private readonly string resultName;

        public WsusDiagException(Result result, string resultName, string message)
            : base(message)
        {
            this.result = result;
            this.resultName = resultName;
        }

        public Result Result { get { return result; } }
        public string ResultName { get { return resultName; } }
    }

    /// <summary>The calls the module makes, with their memory rules kept in one place.</summary>
    public static class Api
    {
        public static byte[] Utf8(string s)
        {
            return Encoding.UTF8.GetBytes(s);
        }

        /// <summary>A NUL-separated UTF-8 list, or null for none.</summary>
        public static byte[] List(string[] items)
        {
            if (items == null || items.Length == 0)
            {
                return null;
            }
            return Encoding.UTF8.GetBytes(string.Join("\0", items));
        }

        public static UIntPtr Len(byte[] bytes)
        {
            return new UIntPtr(bytes == null ? 0UL : (ulong)bytes.Length);
        }

        public static string Version()
        {
            return Marshal.PtrToStringAnsi(Native.wsusdiag_version());
        }

        public static string ResultName(int result)
        {
            return Marshal.PtrToStringAnsi(Native.wsusdiag_result_name(result));
        }

        /// <summary>The calling thread's last error message.</summary>
        public static string LastError()
        {
            UIntPtr needed;
            if (Native.wsusdiag_last_error_message(null, UIntPtr.Zero, out needed) != 0)
            {
                return "";
            }
            byte[] buf = new byte[checked((int)needed.ToUInt64() + 1)];
            UIntPtr full;
            if (Native.wsusdiag_last_error_message(buf, Len(buf), out full) != 0)
            {
                return "";
            }
            int n = (int)Math.Min(full.ToUInt64(), (ulong)(buf.Length - 1));
            return Encoding.UTF8.GetString(buf, 0, n);
        }

        /// <summary>Throws a WsusDiagException unless the result is OK.</summary>
        public static void Check(int result)
        {
            if (result != (int)Result.Ok)
            {
                throw new WsusDiagException((Result)result, ResultName(result), LastError());
            }
        }

        public static string Copy(IntPtr ptr, ulong len)
        {
            if (len == 0)
            {
                return "";
            }
            byte[] bytes = new byte[checked((int)len)];
            Marshal.Copy(ptr, bytes, 0, bytes.Length);
            return Encoding.UTF8.GetString(bytes);
        }

        public static string Read(Str s)
        {
            return Copy(s.Ptr, s.Len.ToUInt64());
        }

        /// <summary>Copies a library buffer into a string and frees it.</summary>
        public static string TakeBuffer(IntPtr ptr, UIntPtr len)
        {
            try
            {
                return Copy(ptr, len.ToUInt64());
            }
            finally
            {
                Native.wsusdiag_buffer_free(ptr, len);
            }
        }

        private static string Render(IntPtr diagnosis, ReportForm form)
        {
            try
            {
                IntPtr buf;
                UIntPtr len;
                switch (form)
                {
                    case ReportForm.Text:
                        Check(Native.wsusdiag_diagnosis_to_text(diagnosis, out buf, out len));
                        break;
                    case ReportForm.Html:
                        Check(Native.wsusdiag_diagnosis_to_html(diagnosis, out buf, out len));
                        break;
                    case ReportForm.Ndjson:
                        Check(Native.wsusdiag_diagnosis_to_ndjson(diagnosis, out buf, out len));
                        break;
                    default:
                        Check(Native.wsusdiag_diagnosis_to_json(diagnosis, out buf, out len));
                        break;
                }
                return TakeBuffer(buf, len);
            }
            finally
            {
                Native.wsusdiag_diagnosis_free(diagnosis);
            }
        }

        /// <summary>Diagnoses files; returns the JSON, the text report or the HTML page.</summary>
        public static string DiagnoseFiles(string[] paths, string[] rules, ReportForm form)
        {
            byte[] p = List(paths);
            byte[] r = List(rules);
            IntPtr diagnosis;
            Check(Native.wsusdiag_diagnose_files(p, Len(p), r, Len(r), out diagnosis));
            return Render(diagnosis, form);
        }

        /// <summary>Diagnoses logs in memory; returns the JSON, the text report or the HTML page.</summary>
        public static string DiagnoseBuffers(byte[][] logs, string[] names, string[] rules, ReportForm form)
        {
            long total = 0;
            foreach (byte[] log in logs)
            {
                total += log.Length;
            }
            byte[] data = new byte[checked((int)total)];
            UIntPtr[] lengths = new UIntPtr[logs.Length];
            int at = 0;
            for (int i = 0; i < logs.Length; i++)
            {
                Buffer.BlockCopy(logs[i], 0, data, at, logs[i].Length);
                at += logs[i].Length;
                lengths[i] = Len(logs[i]);
            }
            byte[] n = List(names);
            byte[] r = List(rules);
            IntPtr diagnosis;
            Check(Native.wsusdiag_diagnose_buffers(
                data, Len(data), lengths, new UIntPtr((ulong)logs.Length), n, Len(n), r, Len(r), out diagnosis));
            return Render(diagnosis, form);
        }

        /// <summary>Writes a report to a file as UTF-8 without a byte order mark (what a browser
        /// and other tools expect; Windows PowerShell's Out-File would write UTF-16).</summary>
        public static void Save(string path, string report)
        {
            System.IO.File.WriteAllText(path, report, new UTF8Encoding(false));
        }

        /// <summary>Decodes an error code; returns the JSON description.</summary>
        public static string LookupHResult(string code)
        {
            byte[] c = Utf8(code);
            IntPtr buf;
            UIntPtr len;
            Check(Native.wsusdiag_hresult_lookup(c, Len(c), out buf, out len));
            return TakeBuffer(buf, len);
        }
    }

    /// <summary>One row of a log, copied out of the reader.</summary>
    public sealed class LogRecord
    {
        public string Path { get; set; }
        public RecordKind Kind { get; set; }
        public long Line { get; set; }
        public long EndLine { get; set; }
        public long Column { get; set; }
        public long Offset { get; set; }
        public DateTime? Time { get; set; }
        public long? Pid { get; set; }
        public long? Tid { get; set; }
        public long? Thread { get; set; }
        public string Component { get; set; }
        public string Level { get; set; }
        public string Process { get; set; }
        public string Source { get; set; }
        public string Message { get; set; }
        public string Continuation { get; set; }
        public bool Truncated { get; set; }
        public string Error { get; set; }
        public string Text { get; set; }

        private static long? Optional(long value)
        {
            return value < 0 ? (long?)null : value;
        }

        internal static LogRecord From(string path, Record r)
        {
            LogRecord row = new LogRecord();
            row.Path = path;
            row.Kind = (RecordKind)r.Kind;
            row.Line = r.Line;
            row.EndLine = r.EndLine;
            row.Column = r.Column;
            row.Offset = (long)r.Offset;
            if (r.HasTime != 0)
            {
                // Client logs carry the machine's local time, server logs UTC.
                DateTimeKind kind = row.Kind == RecordKind.Server ? DateTimeKind.Utc : DateTimeKind.Unspecified;
                row.Time = new DateTime(1970, 1, 1, 0, 0, 0, kind).AddMilliseconds(r.TimeMs);
            }
            row.Pid = Optional(r.Pid);
            row.Tid = Optional(r.Tid);
            row.Thread = Optional(r.Thread);
            row.Component = Api.Read(r.Component);
            row.Level = Api.Read(r.Level);
            row.Process = Api.Read(r.Process);
            row.Source = Api.Read(r.Source);
            row.Message = Api.Read(r.Message);
            row.Continuation = Api.Read(r.Continuation);
            row.Truncated = r.Truncated != 0;
            row.Error = Api.Read(r.Error);
            row.Text = Api.Read(r.Text);
            return row;
        }
    }

    /// <summary>Reads one log row by row. Not for use from several threads at once.</summary>
    public sealed class LogReader : IDisposable
    {
        private IntPtr handle;
        private readonly string path;

        private LogReader(IntPtr handle, string path)
        {
            this.handle = handle;
            this.path = path;
        }

        public static LogReader Open(string path)
        {
            byte[] p = Api.Utf8(path);
            IntPtr reader;
            Api.Check(Native.wsusdiag_log_open(p, Api.Len(p), out reader));
            return new LogReader(reader, path);
        }

        public static LogReader FromBuffer(string name, byte[] data)
        {
            byte[] n = Api.Utf8(name);
            IntPtr reader;
            Api.Check(Native.wsusdiag_log_from_buffer(n, Api.Len(n), data, Api.Len(data), out reader));
            return new LogReader(reader, name);
        }

        public LogKind Kind
        {
            get
            {
                int kind;
                Api.Check(Native.wsusdiag_log_reader_kind(Live(), out kind));
                return (LogKind)kind;
            }
        }

        /// <summary>The next row, or null at the end of the log.</summary>
        public LogRecord Next()
        {
            Record r;
            int result = Native.wsusdiag_log_reader_next(Live(), out r);
            if (result == (int)Result.End)
            {
                return null;
            }
            Api.Check(result);
            // The row's strings are valid only until the next call: copy them now.
            return LogRecord.From(path, r);
        }

        private IntPtr Live()
        {
            if (handle == IntPtr.Zero)
            {
                throw new ObjectDisposedException("WsusDiag.LogReader");
            }
            return handle;
        }

        public void Dispose()
        {
            if (handle != IntPtr.Zero)
            {
                Native.wsusdiag_log_reader_free(handle);
                handle = IntPtr.Zero;
            }
        }
    }
}
'@

function Get-WsusDiagLibraryPath {
    # Where the native library is, by absolute path (see the note at the top of this file).
    if ($env:WSUSDIAG_LIBRARY) {
        return [System.IO.Path]::GetFullPath($env:WSUSDIAG_LIBRARY)
    }
    $onWindows = $PSVersionTable.PSEdition -eq 'Desktop' -or $IsWindows
    $arch = 'x64'
    try {
        $arch = ([System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture).ToString().ToLowerInvariant()
    } catch {
        if (-not [Environment]::Is64BitProcess) { $arch = 'x86' }
    }
    if ($onWindows) {
        $os = 'win'; $file = 'wsusdiag.dll'
    } elseif ($IsMacOS) {
        $os = 'osx'; $file = 'libwsusdiag.dylib'
    } else {
        $os = 'linux'; $file = 'libwsusdiag.so'
    }
    $candidates = @(
        (Join-Path $PSScriptRoot (Join-Path 'runtimes' (Join-Path "$os-$arch" (Join-Path 'native' $file)))),
        (Join-Path $PSScriptRoot $file)
    )
    foreach ($candidate in $candidates) {
        if (Test-Path -LiteralPath $candidate -PathType Leaf) {
            return $candidate
        }
    }
    throw ("WsusDiag: the native library was not found. Looked for:`n  " + ($candidates -join "`n  ") +
        "`nOn Windows, $file comes in the WsusDiag folder of the zip WsusDiag-<version>-win-x64.zip. " +
        "Or build it with 'cargo build -p wsusdiag-ffi --release' and copy target/release/$file to one of these places, " +
        'or set $env:WSUSDIAG_LIBRARY to its full path.')
}

function Initialize-WsusDiagNative {
    $library = Get-WsusDiagLibraryPath
    $loaded = 'WsusDiag.Native' -as [type]
    if ($null -eq $loaded) {
        Add-Type -TypeDefinition ($script:NativeSource.Replace('__WSUSDIAG_LIBRARY__', $library.Replace('"', '""'))) -Language CSharp -IgnoreWarnings
    } elseif ([WsusDiag.Native]::Library -ne $library) {
        throw "WsusDiag: this session already loaded the library from '$([WsusDiag.Native]::Library)'; start a new session to use '$library'."
    }
    $manifest = Import-PowerShellDataFile -Path (Join-Path $PSScriptRoot 'WsusDiag.psd1')
    $expected = [version]$manifest.ModuleVersion
    $native = [WsusDiag.Api]::Version()
    $actual = $null
    if (-not [version]::TryParse($native, [ref]$actual) -or $actual -ne $expected) {
        throw "WsusDiag: '$library' is version $native, but this module is version $expected. Use the library built with this module."
    }
}

Initialize-WsusDiagNative

function ConvertTo-WsusDiagErrorRecord {
    # Turns a failure from the library into an ErrorRecord with a fitting category.
    param(
        [Parameter(Mandatory)] [System.Management.Automation.ErrorRecord] $Caught,
        [object] $Target
    )
    $exception = $Caught.Exception
    while ($exception -isnot [WsusDiag.WsusDiagException] -and $null -ne $exception.InnerException) {
        $exception = $exception.InnerException
    }
    if ($exception -isnot [WsusDiag.WsusDiagException]) {
        return $Caught
    }
    $category = switch ($exception.Result.ToString()) {
        'NotFound' { [System.Management.Automation.ErrorCategory]::ObjectNotFound }
        'PermissionDenied' { [System.Management.Automation.ErrorCategory]::PermissionDenied }
        'Io' { [System.Management.Automation.ErrorCategory]::ReadError }
        'UnknownFormat' { [System.Management.Automation.ErrorCategory]::InvalidData }
        'RulesInvalid' { [System.Management.Automation.ErrorCategory]::InvalidData }
        'TooLarge' { [System.Management.Automation.ErrorCategory]::LimitsExceeded }
        'OutOfMemory' { [System.Management.Automation.ErrorCategory]::ResourceUnavailable }
        'NullParameter' { [System.Management.Automation.ErrorCategory]::InvalidArgument }
        'InvalidUtf8' { [System.Management.Automation.ErrorCategory]::InvalidArgument }
        'InvalidArgument' { [System.Management.Automation.ErrorCategory]::InvalidArgument }
        default { [System.Management.Automation.ErrorCategory]::NotSpecified }
    }
    New-Object System.Management.Automation.ErrorRecord @($exception, $exception.ResultName, $category, $Target)
}

function Resolve-WsusDiagPath {
    # Full file-system paths for -Path (wildcards) or -LiteralPath: the library resolves
    # relative paths against the process's directory, not PowerShell's location.
    param([System.Management.Automation.PSCmdlet] $Cmdlet, [string[]] $Path, [string[]] $LiteralPath)
    if ($null -ne $LiteralPath) {
        foreach ($p in $LiteralPath) {
            $Cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($p)
        }
    } else {
        foreach ($p in $Path) {
            foreach ($resolved in (Resolve-Path -Path $p -ErrorAction Stop)) {
                $resolved.ProviderPath
            }
        }
    }
}

# The objects the commands emit: the JSON's snake_case names in PascalCase (hresult_name ->
# HResultName), and a type name per kind of object, which WsusDiag.format.ps1xml gives a
# short table view. The type of an object comes from the name of the property that holds it
# (a diagnosis's 'faults' are WsusDiag.Fault, ...); WsusDiag.LogRecord is the C# class.
$script:TypeOfProperty = @{
    'inputs'        = 'WsusDiag.Input'
    'problems'      = 'WsusDiag.InputProblem'
    'clock_offsets' = 'WsusDiag.ClockOffset'
    'faults'        = 'WsusDiag.Fault'
    'client'        = 'WsusDiag.ClientSide'
    'server'        = 'WsusDiag.ServerSide'
    'candidates'    = 'WsusDiag.ServerRef'
    'cause'         = 'WsusDiag.ServerCause'
    'time_window'   = 'WsusDiag.TimeWindow'
    'server_faults' = 'WsusDiag.ServerFault'
    'fault_groups'  = 'WsusDiag.FaultGroup'
    'server_fault_groups' = 'WsusDiag.ServerFaultGroup'
    'findings'      = 'WsusDiag.Finding'
    'evidence'      = 'WsusDiag.Evidence'
    'clients'       = 'WsusDiag.Client'
}
# Words whose PascalCase is not just a capital first letter.
$script:PascalWords = @{ 'hresult' = 'HResult'; 'id' = 'Id'; 'url' = 'Url'; 'utc' = 'Utc'; 'ms' = 'Ms' }

function ConvertTo-WsusDiagPropertyName {
    param([string] $Name)
    $words = foreach ($word in ($Name -split '_')) {
        if ($script:PascalWords.ContainsKey($word)) {
            $script:PascalWords[$word]
        } elseif ($word.Length -gt 0) {
            $word.Substring(0, 1).ToUpperInvariant() + $word.Substring(1)
        }
    }
    $words -join ''
}

function ConvertTo-WsusDiagObject {
    # A value from ConvertFrom-Json as a WsusDiag object of type $TypeName (objects and arrays
    # of objects get it; nested ones the type of the property that holds them).
    param($Value, [string] $TypeName)
    if ($Value -is [System.Management.Automation.PSCustomObject]) {
        $properties = [ordered]@{}
        foreach ($property in $Value.PSObject.Properties) {
            $properties[(ConvertTo-WsusDiagPropertyName $property.Name)] =
                ConvertTo-WsusDiagObject -Value $property.Value -TypeName $script:TypeOfProperty[$property.Name]
        }
        $object = [pscustomobject]$properties
        if ($TypeName) {
            $object.PSObject.TypeNames.Insert(0, $TypeName)
        }
        return $object
    }
    if ($Value -is [array]) {
        # The comma keeps a one-item or empty array an array.
        return , [object[]]@(foreach ($item in $Value) { ConvertTo-WsusDiagObject -Value $item -TypeName $TypeName })
    }
    $Value
}

function Add-WsusDiagName {
    # Schema 2 names a fault's log by its index in Inputs and describes each code once, in
    # Codes: a fault's Client and Server objects carry the log's path (Source) and the code's
    # name (HResultName) too, for the table view and for Where-Object.
    param($Diagnosis)
    foreach ($fault in $Diagnosis.Faults) {
        $code = $Diagnosis.Codes.PSObject.Properties[$fault.Client.HResult]
        $fault.Client | Add-Member -NotePropertyName Source -NotePropertyValue $Diagnosis.Inputs[$fault.Client.Input].Path
        $fault.Client | Add-Member -NotePropertyName HResultName -NotePropertyValue $(if ($code) { $code.Value.Name })
        if ($fault.Server) {
            $fault.Server | Add-Member -NotePropertyName Source -NotePropertyValue $Diagnosis.Inputs[$fault.Server.Input].Path
        }
    }
}

function Get-WsusDiagReport {
    <#
    .SYNOPSIS
    Diagnoses why Windows computers do not get their updates from WSUS.

    .DESCRIPTION
    Reads Windows Update client logs (WindowsUpdate.log, classic or from Get-WindowsUpdateLog)
    and WSUS server logs (SoftwareDistribution.log) in any order and number, joins each client
    failure to the server's record of it (by SOAP fault ID, or by time), and names the known
    issue and its fix. Each file's kind is judged from its content; a folder stands for every
    file below it.

    All the paths given, on the command line and through the pipeline, are diagnosed together
    once the pipeline ends, since client and server logs must be read side by side.

    Returns the diagnosis as one WsusDiag.Diagnosis object, or with -As only its findings
    (WsusDiag.Finding), faults (WsusDiag.Fault) or client summaries (WsusDiag.Client), one
    object each, or the text report, the JSON itself, or the HTML page; with -OutFile, the
    report, JSON or page goes to a file instead. The objects carry every field of the
    wsusdiag JSON contract (schema_version 2), named in PascalCase: a finding's RuleId, Title,
    Severity, Confidence (confirmed, probable or possible), Occurrences, Clients, Endpoints,
    Cause, Remediation (ordered steps), Confirm and References; a fault's Client (Input, and
    its path as Source, Line, Time, HResult, and its name as HResultName, Method, Operation,
    Endpoint, EndpointKind, Lines, ...), Server (the server's entry and its Cause),
    Correlation (fault-id, time-window, ambiguous or none),
    FailureKind, TimeWindow, Candidates (when ambiguous: Input and Line of server faults),
    RuleId and Confidence; FaultGroups and ServerFaultGroups (Count, first and last time, and
    the indices of their faults); Codes (each code's Name and Description); a client's
    ClientId, WsusPolicy, UpdateSources, AgentVersion, Detections, ScansSucceeded, Failures,
    LastSuccess and LastFailure. WsusDiag.format.ps1xml gives each a short table view; use
    Format-List * to see all.

    .PARAMETER Path
    Log files or folders. Wildcards are allowed. Accepts strings from the pipeline.

    .PARAMETER LiteralPath
    Log files or folders, taken literally. Accepts FileInfo objects (Get-ChildItem) from the
    pipeline.

    .PARAMETER Rules
    Extra known-issue rules files (TOML) to load on top of the built-in ones.

    .PARAMETER As
    What to emit: Diagnosis (default), Findings, Faults, Clients, Text (the report for
    people, as one string), Json (the JSON contract, as one string), Ndjson (one flat JSON
    object per line, each with a type, for Splunk, Elastic or Azure Data Explorer) or Html (one
    self-contained page to open in a browser: the verdict, each finding with its evidence and
    fix, a timeline of the failures, a table of clients; nothing is fetched from the network).

    .PARAMETER OutFile
    Write the -As Text, Json, Ndjson or Html output to this file (UTF-8, no byte order mark, replaced
    if it exists) instead of emitting it. A relative path is taken from the current location.

    .EXAMPLE
    Get-WsusDiagReport -Path C:\Logs\WindowsUpdate.log, C:\Logs\SoftwareDistribution.log

    .EXAMPLE
    Get-ChildItem \\wsus01\logs\*.log | Get-WsusDiagReport -As Findings | Format-List RuleId, Title, Remediation

    .EXAMPLE
    Get-WsusDiagReport C:\Logs -As Faults | Where-Object Correlation -eq 'fault-id'

    .EXAMPLE
    Get-WsusDiagReport \\wsus01\logs, C:\Logs -As Html -OutFile report.html; Invoke-Item report.html

    .OUTPUTS
    WsusDiag.Diagnosis, WsusDiag.Finding, WsusDiag.Fault or WsusDiag.Client; System.String
    with -As Text, Json, Ndjson or Html; nothing with -OutFile.

    .LINK
    Get-WsusDiagLogRecord

    .LINK
    Resolve-WsusDiagError
    #>
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    [OutputType('WsusDiag.Diagnosis', 'WsusDiag.Finding', 'WsusDiag.Fault', 'WsusDiag.Client')]
    [OutputType([string])]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ParameterSetName = 'Path')]
        [SupportsWildcards()]
        [string[]] $Path,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'LiteralPath')]
        [Alias('PSPath', 'FullName')]
        [string[]] $LiteralPath,

        [string[]] $Rules,

        [ValidateSet('Diagnosis', 'Findings', 'Faults', 'Clients', 'Text', 'Json', 'Ndjson', 'Html')]
        [string] $As = 'Diagnosis',

        [string] $OutFile
    )
    begin {
        $asReport = $As -in 'Text', 'Json', 'Ndjson', 'Html'
        if ($OutFile -and -not $asReport) {
            $problem = New-Object System.ArgumentException "-OutFile writes a report: use it with -As Text, Json, Ndjson or Html."
            $PSCmdlet.ThrowTerminatingError((New-Object System.Management.Automation.ErrorRecord @(
                $problem, 'OutFileNeedsReport', [System.Management.Automation.ErrorCategory]::InvalidArgument, $As)))
        }
        $files = New-Object 'System.Collections.Generic.List[string]'
    }
    process {
        foreach ($file in (Resolve-WsusDiagPath -Cmdlet $PSCmdlet -Path $Path -LiteralPath $LiteralPath)) {
            $files.Add($file)
        }
    }
    end {
        if ($files.Count -eq 0) {
            return
        }
        $ruleFiles = [string[]]@(if ($Rules) { Resolve-WsusDiagPath -Cmdlet $PSCmdlet -LiteralPath $Rules })
        # The objects are made from the JSON.
        $form = if ($asReport) { [WsusDiag.ReportForm]$As } else { [WsusDiag.ReportForm]::Json }
        try {
            $output = [WsusDiag.Api]::DiagnoseFiles($files.ToArray(), $ruleFiles, $form)
        } catch {
            $PSCmdlet.ThrowTerminatingError((ConvertTo-WsusDiagErrorRecord -Caught $_ -Target $files.ToArray()))
        }
        if ($OutFile) {
            $target = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutFile)
            try {
                [WsusDiag.Api]::Save($target, $output)
            } catch {
                # The I/O error itself, not PowerShell's 'Exception calling "Save"' around it.
                $problem = $_.Exception
                if ($null -ne $problem.InnerException) { $problem = $problem.InnerException }
                $PSCmdlet.ThrowTerminatingError((New-Object System.Management.Automation.ErrorRecord @(
                    $problem, 'OutFileNotWritten', [System.Management.Automation.ErrorCategory]::WriteError, $target)))
            }
            return
        }
        if ($asReport) {
            return $output
        }
        $diagnosis = ConvertTo-WsusDiagObject -Value ($output | ConvertFrom-Json) -TypeName 'WsusDiag.Diagnosis'
        Add-WsusDiagName -Diagnosis $diagnosis
        switch ($As) {
            'Diagnosis' { $diagnosis }
            'Findings' { $diagnosis.Findings | ForEach-Object { $_ } }
            'Faults' { $diagnosis.Faults | ForEach-Object { $_ } }
            'Clients' { $diagnosis.Clients | ForEach-Object { $_ } }
        }
    }
}

function Get-WsusDiagLogRecord {
    <#
    .SYNOPSIS
    Streams the records of Windows Update and WSUS logs, one object per log entry.

    .DESCRIPTION
    Reads each log entry of a client log (WindowsUpdate.log) or a server log
    (SoftwareDistribution.log) and writes it to the pipeline as soon as it is read, so large
    logs can be filtered without loading them whole. The kind of each log is judged from its
    content.

    Each object has Path, Kind (Client, Server or Malformed), Line, EndLine, Column, Offset,
    Time, and: for client entries Pid, Tid, Component and Message; for server entries Level,
    Process, Thread, Source (Class.Method), Message and Continuation (the following lines, such
    as a stack trace). Client times are the machine's local time as written (Kind Unspecified),
    server times are UTC.

    Lines that cannot be read as entries are skipped with one warning per file; with
    -IncludeMalformed they are written too, with Kind Malformed, Line, Column, Error (the kind
    of problem), Message and Text (the line).

    .PARAMETER Path
    Log files. Wildcards are allowed. Accepts strings from the pipeline.

    .PARAMETER LiteralPath
    Log files, taken literally. Accepts FileInfo objects (Get-ChildItem) from the pipeline.

    .PARAMETER IncludeMalformed
    Also write the lines that could not be read as entries.

    .EXAMPLE
    Get-WsusDiagLogRecord C:\Windows\WindowsUpdate.log | Where-Object Message -match '0x8024400E'

    .EXAMPLE
    Get-WsusDiagLogRecord .\SoftwareDistribution.log | Where-Object Level -eq 'Error' | Select-Object Time, Source, Message

    .EXAMPLE
    Get-ChildItem .\logs\*.log | Get-WsusDiagLogRecord -IncludeMalformed | Where-Object Kind -eq Malformed

    .OUTPUTS
    WsusDiag.LogRecord

    .LINK
    Get-WsusDiagReport
    #>
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    [OutputType('WsusDiag.LogRecord')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ParameterSetName = 'Path')]
        [SupportsWildcards()]
        [string[]] $Path,

        [Parameter(Mandatory, ValueFromPipelineByPropertyName, ParameterSetName = 'LiteralPath')]
        [Alias('PSPath', 'FullName')]
        [string[]] $LiteralPath,

        [switch] $IncludeMalformed
    )
    process {
        foreach ($file in (Resolve-WsusDiagPath -Cmdlet $PSCmdlet -Path $Path -LiteralPath $LiteralPath)) {
            $reader = $null
            try {
                $reader = [WsusDiag.LogReader]::Open($file)
                $malformed = 0
                while ($null -ne ($row = $reader.Next())) {
                    if ($row.Kind -eq [WsusDiag.RecordKind]::Malformed) {
                        $malformed++
                        if (-not $IncludeMalformed) {
                            continue
                        }
                    }
                    $row
                }
                if ($malformed -gt 0 -and -not $IncludeMalformed) {
                    Write-Warning "${file}: $malformed line(s) could not be read as log entries; use -IncludeMalformed to see them."
                }
            } catch {
                $PSCmdlet.WriteError((ConvertTo-WsusDiagErrorRecord -Caught $_ -Target $file))
            } finally {
                if ($null -ne $reader) {
                    $reader.Dispose()
                }
            }
        }
    }
}

function Resolve-WsusDiagError {
    <#
    .SYNOPSIS
    Decodes a Windows Update error code.

    .DESCRIPTION
    Looks up a Windows Update, WinHTTP, Win32 or certificate error code as written in the logs
    or by people: 0x8024400E, 8024400E, [8024400E], or a decimal such as 2149859342 or
    -2145107954 (an integer from PowerShell, like 0x8024400E typed at the prompt, works too).
    Returns its symbol (WU_E_PT_SOAP_SERVER), component, description, HTTP status or Win32
    error inside it, and whether it is a failure. A code wsusdiag does not list still gets its
    family.

    .PARAMETER Code
    One or more codes. Accepts strings and integers from the pipeline.

    .EXAMPLE
    Resolve-WsusDiagError 0x8024400E

    .EXAMPLE
    '80072EE2', '0x80244022' | Resolve-WsusDiagError | Format-Table Code, Name, Description

    .OUTPUTS
    WsusDiag.ErrorCode (Code, Value, Name, Component, ComponentLabel, Facility, Description,
    Listed, HttpStatus, Win32Error, Failure, ...)

    .LINK
    Get-WsusDiagReport
    #>
    [CmdletBinding()]
    [OutputType('WsusDiag.ErrorCode')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)]
        [object[]] $Code
    )
    process {
        foreach ($c in $Code) {
            $text = ([string]$c).Trim()
            try {
                ConvertTo-WsusDiagObject -Value ([WsusDiag.Api]::LookupHResult($text) | ConvertFrom-Json) -TypeName 'WsusDiag.ErrorCode'
            } catch {
                $PSCmdlet.WriteError((ConvertTo-WsusDiagErrorRecord -Caught $_ -Target $c))
            }
        }
    }
}

# The first names of the commands, before they joined the WsusDiag noun family.
Set-Alias -Name Get-WsusDiagnosis -Value Get-WsusDiagReport
Set-Alias -Name Get-WsusLogRecord -Value Get-WsusDiagLogRecord
Set-Alias -Name Resolve-WUError -Value Resolve-WsusDiagError

Export-ModuleMember -Function 'Get-WsusDiagReport', 'Get-WsusDiagLogRecord', 'Resolve-WsusDiagError' `
    -Alias 'Get-WsusDiagnosis', 'Get-WsusLogRecord', 'Resolve-WUError'
