//! A running program and the processes it started, read from /proc: memory (PSS) and CPU time,
//! for the benchmarks.

use std::collections::HashMap;

/// A process tree by its root: re-read on each `refresh`, since WebKit starts and ends helpers.
#[derive(Debug, Clone, Copy)]
pub struct Tree {
    pub root: u32,
}

#[derive(Debug, Clone)]
pub struct Proc {
    pub pid: u32,
    pub name: String,
}

/// The first process `is_root` accepts, as a tree.
pub fn tree_of(mut is_root: impl FnMut(u32) -> bool) -> Option<Tree> {
    pids().into_iter().find(|&p| is_root(p)).map(|root| Tree { root })
}

fn pids() -> Vec<u32> {
    let mut v: Vec<u32> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .collect();
    v.sort_unstable();
    v
}

/// (parent pid, command name) from /proc/PID/stat; the name may hold spaces and parentheses.
fn stat(pid: u32) -> Option<(u32, String, Vec<String>)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let open = s.find('(')?;
    let close = s.rfind(')')?;
    let name = s[open + 1..close].to_owned();
    let rest: Vec<String> = s[close + 1..].split_whitespace().map(str::to_owned).collect();
    let ppid = rest.get(1)?.parse().ok()?;
    Some((ppid, name, rest))
}

impl Tree {
    /// The root and all its descendants alive now.
    pub fn refresh(&self) -> Vec<Proc> {
        let mut children: HashMap<u32, Vec<(u32, String)>> = HashMap::new();
        let mut root_name = None;
        for pid in pids() {
            if let Some((ppid, name, _)) = stat(pid) {
                if pid == self.root {
                    root_name = Some(name.clone());
                }
                children.entry(ppid).or_default().push((pid, name));
            }
        }
        let Some(name) = root_name else { return Vec::new() };
        let mut out = vec![Proc { pid: self.root, name }];
        let mut i = 0;
        while i < out.len() {
            for (pid, name) in children.get(&out[i].pid).into_iter().flatten() {
                out.push(Proc { pid: *pid, name: name.clone() });
            }
            i += 1;
        }
        out
    }
}

/// Proportional set size summed over `procs`, in KiB: shared pages are split among their users,
/// so the sum is what the tree really costs.
pub fn pss_kib(procs: &[Proc]) -> u64 {
    pss_each(procs).iter().map(|(_, kib)| kib).sum()
}

/// Proportional set size of each of `procs` still running, in KiB, with its name.
pub fn pss_each(procs: &[Proc]) -> Vec<(String, u64)> {
    procs
        .iter()
        .filter_map(|p| {
            let s = std::fs::read_to_string(format!("/proc/{}/smaps_rollup", p.pid)).ok()?;
            let line = s.lines().find(|l| l.starts_with("Pss:"))?;
            Some((p.name.clone(), line.split_whitespace().nth(1)?.parse::<u64>().ok()?))
        })
        .collect()
}

/// User plus system CPU time of `procs`, in clock ticks.
pub fn cpu_ticks(procs: &[Proc]) -> u64 {
    procs
        .iter()
        .filter_map(|p| stat(p.pid))
        .map(|(_, _, rest)| {
            // After the name: state(0) ppid(1) … utime(11) stime(12).
            let field = |i: usize| rest.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
            field(11) + field(12)
        })
        .sum()
}

/// The machine in one line, for results files: CPU, cores, memory, OS.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().next().and_then(|l| l.split_whitespace().nth(1)).and_then(|k| k.parse::<u64>().ok()))
        .map(|k| format!("{:.0} GiB", k as f64 / 1048576.0))
        .unwrap_or_default();
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|o| o.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=").map(|v| v.trim_matches('"').to_owned())))
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, {mem}, {os}")
}

/// Now on the system's monotonic clock, which the benchmarks' helper processes read alike (Rust's
/// and Node's `process.hrtime` both read CLOCK_MONOTONIC on Linux).
pub fn mono() -> std::time::Duration {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes the timespec it is given, and CLOCK_MONOTONIC always exists.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut t) };
    std::time::Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// The p50 and p99 (nearest rank) of `v`, in milliseconds; NaN for none.
pub fn p50_p99_ms(v: &mut [std::time::Duration]) -> (f64, f64) {
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    v.sort();
    let at = |q: f64| v[((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1].as_secs_f64() * 1e3;
    (at(0.5), at(0.99))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_memory_and_cpu_time() {
        let me = std::process::id();
        let t = tree_of(|p| p == me).unwrap();
        let procs = t.refresh();
        assert_eq!(procs[0].pid, me);
        assert!(pss_kib(&procs) > 100, "a test binary uses more than 100 KiB");
        let mut x = 0u64;
        for i in 0..20_000_000u64 {
            x = x.wrapping_mul(31).wrapping_add(i);
        }
        std::hint::black_box(x);
        assert!(cpu_ticks(&procs) > 0);
    }
}
