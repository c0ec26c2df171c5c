//! The machine woke from sleep or its network came back: the OS says so (logind and NetworkManager
//! on the system D-Bus, Linux), and every IM account checks its link at once instead of waiting
//! for its next keepalive ping to find it dead.

use tokio::sync::watch;

/// NetworkManager's state for "connected, with a route out" (`NM_STATE_CONNECTED_GLOBAL`).
const NM_CONNECTED_GLOBAL: u32 = 70;

/// What a signal means for the desk's links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Resumed from sleep, or connected again: links may be dead without knowing it.
    CheckLinks,
    /// Going to sleep, or a network state that is not "connected": nothing to do yet.
    Nothing,
}

/// What logind's `PrepareForSleep(start)` means: `false` is the wake-up.
pub fn sleep_signal(start: bool) -> Signal {
    if start {
        Signal::Nothing
    } else {
        Signal::CheckLinks
    }
}

/// What NetworkManager's `StateChanged(state)` means.
pub fn network_signal(state: u32) -> Signal {
    if state == NM_CONNECTED_GLOBAL {
        Signal::CheckLinks
    } else {
        Signal::Nothing
    }
}

/// Listens on the system bus until it goes away, poking `links` on each wake-up or reconnection.
/// Errors only if the bus cannot be reached at all (a machine without D-Bus: pings still find dead
/// links, later).
#[cfg(target_os = "linux")]
pub async fn listen(links: watch::Sender<()>) -> zbus::Result<()> {
    let conn = zbus::Connection::system().await?;
    listen_on(&conn, || {
        let _ = links.send(());
    })
    .await
}

/// As `listen`, on a given bus, calling `on_wake` for each signal that means "check the links".
#[cfg(target_os = "linux")]
pub async fn listen_on(conn: &zbus::Connection, mut on_wake: impl FnMut()) -> zbus::Result<()> {
    use futures_util::StreamExt;
    use zbus::{message::Type, MatchRule, MessageStream};

    let sleep = MatchRule::builder()
        .msg_type(Type::Signal)
        .interface("org.freedesktop.login1.Manager")?
        .member("PrepareForSleep")?
        .build();
    let network = MatchRule::builder()
        .msg_type(Type::Signal)
        .interface("org.freedesktop.NetworkManager")?
        .member("StateChanged")?
        .build();
    let sleep = MessageStream::for_match_rule(sleep, conn, Some(8)).await?;
    let network = MessageStream::for_match_rule(network, conn, Some(8)).await?;
    tracing::debug!("listening for sleep and network signals");
    let mut both = futures_util::stream::select(sleep.map(|m| (true, m)), network.map(|m| (false, m)));
    while let Some((is_sleep, msg)) = both.next().await {
        let Ok(msg) = msg else { continue };
        let signal = if is_sleep {
            msg.body().deserialize::<bool>().map(sleep_signal)
        } else {
            msg.body().deserialize::<u32>().map(network_signal)
        };
        match signal {
            Ok(Signal::CheckLinks) => {
                tracing::info!(sleep = is_sleep, "woke up or reconnected: checking every account's link");
                on_wake();
            }
            Ok(Signal::Nothing) => {}
            // Anyone on the bus can send a signal; a malformed one is ignored.
            Err(e) => tracing::debug!("ignored a malformed sleep/network signal: {e}"),
        }
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
pub async fn listen(links: watch::Sender<()>) -> Result<(), std::io::Error> {
    // Windows and macOS have their own power notifications; until they are wired, pings find a
    // link that died in sleep within keepalive + ping timeout.
    let _ = links;
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "sleep/wake signals are read on Linux only"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_waking_and_getting_connected_check_the_links() {
        assert_eq!(sleep_signal(false), Signal::CheckLinks);
        assert_eq!(sleep_signal(true), Signal::Nothing);
        assert_eq!(network_signal(70), Signal::CheckLinks);
        for state in [0, 10, 20, 30, 40, 50, 60] {
            assert_eq!(network_signal(state), Signal::Nothing, "{state}");
        }
    }
}
