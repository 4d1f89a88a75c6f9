//! One machine's logs: a client folder holding a ConfigMgr client log (`WUAHandler.log`) and
//! the Windows Update log is one client. The ConfigMgr log's bias gives the Windows Update
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
    // A folder of many machines' logs is no client folder: only one log of each kind joins.
    for (cm, wu) in machines.values() {
        if cm.len() != 1 || wu.len() != 1 {
            continue;
        }
        for &m in cm {
            let tz = fleet.clients[m].1.tz_minutes;
            for &w in wu {
                let client = &mut fleet.clients[w].1;
                if !client.utc && client.tz_minutes.is_none() {
                    client.tz_minutes = tz;
                }
            }
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
