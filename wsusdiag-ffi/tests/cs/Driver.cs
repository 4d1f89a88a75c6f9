// Runs the PowerShell module's C# (the WsusDiag namespace of powershell/WsusDiag.psm1) against
// the real library, without PowerShell: scripts/test-ffi extracts that C#, points its Library
// constant at the built library, compiles it with this file as C# 5 (what Windows PowerShell
// 5.1's Add-Type accepts) and runs it with Mono.
//
//   Driver.exe VERSION CLIENT_LOG SERVER_LOG
//
// Prints one line per failed check and ends with "N passed, M failed".
using System;
using System.IO;
using WsusDiag;

public static class Driver
{
    private static int passed;
    private static int failed;

    private static void Check(bool condition, string what)
    {
        if (condition)
        {
            passed++;
        }
        else
        {
            failed++;
            Console.Error.WriteLine("FAILED " + what);
        }
    }

    private static WsusDiagException Fails(Action action)
    {
        try
        {
            action();
        }
        catch (WsusDiagException e)
        {
            return e;
        }
        return null;
    }

    public static int Main(string[] args)
    {
        string version = args[0], client = args[1], server = args[2];

        Check(Api.Version() == version, "the library's version is the module's");
        Check(Api.ResultName((int)Result.NotFound) == "WSUSDIAG_RESULT_NOT_FOUND", "result names");

        string json = Api.DiagnoseFiles(new string[] { client, server }, null, ReportForm.Json);
        Check(json.Contains("\"hresult\": \"0x8024400E\""), "the fault's HRESULT");
        Check(json.Contains("\"correlation\": \"fault-id\""), "joined by fault ID");
        string text = Api.DiagnoseFiles(new string[] { client, server }, new string[0], ReportForm.Text);
        Check(text.Contains("KB954960") && text.Contains("47 \u2502"), "the text report");
        string html = Api.DiagnoseFiles(new string[] { client, server }, null, ReportForm.Html);
        Check(html.StartsWith("<!DOCTYPE html>") && html.Contains("KB954960"), "the HTML page");

        // -OutFile: UTF-8 without a byte order mark, the page as it came.
        string saved = Path.Combine(Path.GetTempPath(), "wsusdiag-driver-" + Guid.NewGuid().ToString("N") + ".html");
        Api.Save(saved, html);
        byte[] bytes = File.ReadAllBytes(saved);
        File.Delete(saved);
        Check(bytes.Length > 15 && bytes[0] == (byte)'<' && System.Text.Encoding.UTF8.GetString(bytes) == html,
            "the page saved as UTF-8 without BOM");
        Check(json.Contains("\"rule_id\": \"KB954960\""), "the known issue");

        byte[][] logs = new byte[][] { File.ReadAllBytes(server), File.ReadAllBytes(client) };
        string fromBuffers = Api.DiagnoseBuffers(logs, new string[] { "srv.log", "cli.log" }, null, ReportForm.Json);
        Check(fromBuffers.Contains("\"path\": \"srv.log\""), "buffer names");
        Check(fromBuffers.Contains("\"correlation\": \"fault-id\""), "buffers joined by fault ID");

        foreach (string form in new string[] { "0x8024400E", "8024400E", "2149859342", "-2145107954" })
        {
            Check(Api.LookupHResult(form).Contains("\"WU_E_PT_SOAP_SERVER\""), "HRESULT " + form);
        }
        WsusDiagException e = Fails(delegate { Api.LookupHResult("nonsense"); });
        Check(e != null && e.Result == Result.InvalidArgument, "a bad code is refused");

        string missing = "/nonexistent/wsusdiag/WindowsUpdate.log";
        e = Fails(delegate { Api.DiagnoseFiles(new string[] { missing }, null, ReportForm.Json); });
        Check(e != null && e.Result == Result.NotFound && e.ResultName == "WSUSDIAG_RESULT_NOT_FOUND",
            "a missing file is NotFound");
        Check(e != null && e.Message.StartsWith(missing + ": "), "the message names the file");
        e = Fails(delegate { LogReader.Open(missing).Dispose(); });
        Check(e != null && e.Result == Result.NotFound, "a missing log is NotFound");

        // has_faults through out byte, straight from the declarations.
        byte[] paths = Api.List(new string[] { client, server });
        IntPtr diagnosis;
        Api.Check(Native.wsusdiag_diagnose_files(paths, Api.Len(paths), null, UIntPtr.Zero, out diagnosis));
        byte hasFaults;
        Api.Check(Native.wsusdiag_diagnosis_has_faults(diagnosis, out hasFaults));
        Check(hasFaults == 1, "has_faults");
        Native.wsusdiag_diagnosis_free(diagnosis);

        using (LogReader reader = LogReader.Open(client))
        {
            Check(reader.Kind == LogKind.ClientClassic, "client log kind");
            LogRecord first = reader.Next();
            Check(first.Kind == RecordKind.Client && first.Line == 1 && first.Column == 1, "first client row");
            Check(first.Pid == 1100 && first.Tid == 0x7d8 && first.Thread == null, "pid and tid");
            Check(first.Component == "Misc" && first.Message.Contains("Logging initialized"), "component, message");
            Check(first.Time == new DateTime(2008, 7, 14, 9, 10, 33, 953, DateTimeKind.Unspecified)
                && first.Time.Value.Kind == DateTimeKind.Unspecified, "client time, local as written");
            int rows = 1;
            while (reader.Next() != null)
            {
                rows++;
            }
            Check(rows > 50, "client rows");
            Check(reader.Next() == null, "END again after the end");
        }

        using (LogReader reader = LogReader.FromBuffer("SoftwareDistribution.log", File.ReadAllBytes(server)))
        {
            Check(reader.Kind == LogKind.Server, "server log kind");
            LogRecord first = reader.Next();
            Check(first.Kind == RecordKind.Server && first.Level == "Info" && first.Process == "WsusService"
                && first.Thread == 20 && first.Pid == null, "first server row");
            Check(first.Source == "EventLogEventReporter.ReportEvent", "server source");
            Check(first.Time == new DateTime(2008, 7, 14, 12, 41, 7, 781, DateTimeKind.Utc)
                && first.Time.Value.Kind == DateTimeKind.Utc, "server time, UTC");
            bool trace = false;
            LogRecord row;
            while ((row = reader.Next()) != null)
            {
                trace |= row.Continuation.Length > 0 && row.EndLine > row.Line;
            }
            Check(trace, "a stack trace in Continuation");
        }

        byte[] broken = System.Text.Encoding.UTF8.GetBytes(
            "2008-07-14\t09:10:33:953\t1100\t7d8\tMisc\tfirst\n" +
            "2008-07-14\t09:1x:33:953\t1100\t7d8\tMisc\tbroken header\n" +
            "2008-07-14\t09:10:34:953\t1100\t7d8\tMisc\tthird\n");
        LogReader disposed;
        using (LogReader reader = LogReader.FromBuffer("broken.log", broken))
        {
            disposed = reader;
            LogRecord a = reader.Next(), b = reader.Next(), c = reader.Next();
            Check(a.Kind == RecordKind.Client && a.Line == 1, "row before the bad line");
            Check(b.Kind == RecordKind.Malformed && b.Line == 2 && b.Error == "bad-header" && b.Column > 1
                && b.Text.Contains("broken header") && b.Time == null, "the malformed row");
            Check(c.Kind == RecordKind.Client && c.Line == 3, "the iteration goes on");
            Check(reader.Next() == null, "end");
        }
        bool threw = false;
        try
        {
            disposed.Next();
        }
        catch (ObjectDisposedException)
        {
            threw = true;
        }
        Check(threw, "a disposed reader refuses to read");

        Console.WriteLine(passed + " passed, " + failed + " failed");
        return failed == 0 ? 0 : 1;
    }
}
