//! One machine's logs: a client folder holding ConfigMgr client logs (`WUAHandler.log`,
//! `UpdatesDeployment.log`, …) and the Windows Update log is one client. The ConfigMgr log's bias gives the Windows Update
//! log's offset to UTC when that log has none, and a ConfigMgr scan failure that reports a
//! Windows Update failure (same code, nearest time) is that failure, not a second one.

use std::collections::HashMap;
use std::path::Path;

use chrono::Duration;

use super::Fleet;
use crate::input::LogKind;

/// A ConfigMgr failure and the Windows Update failure it reports are at most this far apart.
const REPORT_WINDOW_MINUTES: i64 = 30;

/// Joins the ConfigMgr and Windows Update logs of each client folder (a folder with one of each).
pub(crate) fn join(fleet: &mut Fleet) {
    let configmgr = LogKind::ClientConfigMgr;
    let is_configmgr: HashMap<&str, bool> = fleet
        .inputs
        .iter()
        .map(|i| (i.path.as_str(), i.kind == Some(configmgr)))
        .collect();
    let folder = |source: &str| Path::new(source).parent().map(Path::to_path_buf);
    let mut machines: HashMap<_, (Vec<usize>, Vec<usize>)> = HashMap::new();
    for (i, (source, _)) in fleet.clients.iter().enumerate() {
        let Some(dir) = folder(source).filter(|d| !d.as_os_str().is_empty()) else {
            continue;
        };
        let entry = machines.entry(dir).or_default();
        if is_configmgr.get(source.as_str()).copied().unwrap_or(false) {
            entry.0.push(i);
        } else {
            entry.1.push(i);
        }
    }
    // A folder of many machines' Windows Update logs is no client folder: it joins when it
    // holds one, with any number of ConfigMgr logs (WUAHandler.log, UpdatesDeployment.log, …).
    for (cm, wu) in machines.values() {
        if cm.is_empty() || wu.len() != 1 {
            continue;
        }
        let tz = cm.iter().find_map(|&m| fleet.clients[m].1.tz_minutes);
        for &w in wu {
            let client = &mut fleet.clients[w].1;
            if !client.utc && client.tz_minutes.is_none() {
                client.tz_minutes = tz;
            }
        }
        for &m in cm {
            drop_reports(fleet, m, wu);
        }
    }
}

/// Removes from ConfigMgr log `m` the failures that report one of the Windows Update logs'
/// failures: same code, nearest time within [`REPORT_WINDOW_MINUTES`].
fn drop_reports(fleet: &mut Fleet, m: usize, wu: &[usize]) {
    let window = Duration::minutes(REPORT_WINDOW_MINUTES);
    let reported = |f: &crate::pipeline::client::ClientFault| {
        wu.iter().any(|&w| {
            fleet.clients[w].1.faults.iter().any(|g| {
                g.codes.contains(&f.hresult)
                    && match (f.time, g.time) {
                        (Some(a), Some(b)) => (a - b).abs() <= window,
                        _ => false,
                    }
            })
        })
    };
    let keep: Vec<bool> = fleet.clients[m]
        .1
        .faults
        .iter()
        .map(|f| !reported(f))
        .collect();
    let mut keep = keep.into_iter();
    fleet.clients[m]
        .1
        .faults
        .retain(|_| keep.next().unwrap_or(true));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::TextEncoding;
    use crate::pipeline::client::{ClientAnalysis, ClientFault};
    use crate::pipeline::unread;

    fn fault(code: u32, time: &str) -> ClientFault {
        ClientFault {
            hresult: code,
            codes: vec![code],
            time: chrono::NaiveDateTime::parse_from_str(time, "%Y-%m-%d %H:%M:%S").ok(),
            ..ClientFault::default()
        }
    }

    fn client(path: &str, kind: LogKind, tz: Option<i32>, faults: Vec<ClientFault>) -> Fleet {
        let mut f = Fleet::default();
        f.inputs.push(crate::pipeline::InputSummary {
            kind: Some(kind),
            ..unread(path, 0, TextEncoding::Utf8)
        });
        f.clients.push((
            path.to_owned(),
            ClientAnalysis {
                tz_minutes: tz,
                faults,
                ..ClientAnalysis::default()
            },
        ));
        f
    }

    fn fleet(parts: Vec<Fleet>) -> Fleet {
        let mut all = Fleet::default();
        for p in parts {
            all.inputs.extend(p.inputs);
            all.clients.extend(p.clients);
        }
        all
    }

    #[test]
    fn a_configmgr_report_of_a_windows_update_failure_is_not_a_second_fault() {
        let mut f = fleet(vec![
            client(
                "PC01/WindowsUpdate.log",
                LogKind::ClientWin10,
                None,
                vec![fault(0x8024_4022, "2021-07-14 08:53:00")],
            ),
            client(
                "PC01/WUAHandler.log",
                LogKind::ClientConfigMgr,
                Some(-240),
                vec![
                    fault(0x8024_4022, "2021-07-14 08:53:02"),
                    // Another code: a failure of its own.
                    fault(0x87D0_0692, "2021-07-14 08:53:02"),
                ],
            ),
            client(
                "PC01/UpdatesDeployment.log",
                LogKind::ClientConfigMgr,
                Some(-240),
                vec![],
            ),
        ]);
        join(&mut f);
        assert_eq!(f.clients[0].1.tz_minutes, Some(-240));
        let left: Vec<u32> = f.clients[1].1.faults.iter().map(|x| x.hresult).collect();
        assert_eq!(left, [0x87D0_0692]);
    }

    #[test]
    fn a_folder_of_several_windows_update_logs_is_not_one_client() {
        let mut f = fleet(vec![
            client("logs/a.log", LogKind::ClientWin10, None, vec![]),
            client("logs/b.log", LogKind::ClientWin10, None, vec![]),
            client(
                "logs/WUAHandler.log",
                LogKind::ClientConfigMgr,
                Some(-240),
                vec![],
            ),
        ]);
        join(&mut f);
        assert!(f.clients[..2].iter().all(|(_, c)| c.tz_minutes.is_none()));
    }
}
