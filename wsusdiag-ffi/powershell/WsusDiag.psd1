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
    FunctionsToExport    = @('Get-WsusDiagnosis', 'Get-WsusLogRecord', 'Resolve-WUError')
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('WSUS', 'WindowsUpdate', 'Diagnostics', 'Logs')
            ProjectUri = 'https://github.com/wsusdiag/wsusdiag'
        }
    }
}
