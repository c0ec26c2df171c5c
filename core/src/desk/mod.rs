//! The desk-priority engine (pure, sans-IO): policy, schedule, the queue across media, and desk state.

pub mod engine;
pub mod lang;
pub mod policy;
pub mod schedule;
pub mod sim;

#[cfg(test)]
mod props;
#[cfg(test)]
mod scenarios;

pub use engine::{Action, AlertLevel, ChatState, CloseReason, Engine, Event, Item, QueueEntry, ReplyKind, Show};
pub use policy::{DeskPolicy, Policy, PolicyError, QueueOrder};

use crate::api::{DeskState, Presence};

/// The state the tray and the window show, from what the librarian chose and whether a patron
/// stands at the desk. A walk-up wins: the desk is busy whatever the IM presence says.
pub fn desk_state(presence: Presence, walkup_active: bool) -> DeskState {
    if walkup_active {
        return DeskState::WithPatron;
    }
    match presence {
        Presence::Available => DeskState::Available,
        Presence::Away => DeskState::Away,
        Presence::Offline => DeskState::Offline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_walkup_makes_the_desk_busy_whatever_the_presence() {
        for p in [Presence::Available, Presence::Away, Presence::Offline] {
            assert_eq!(desk_state(p, true), DeskState::WithPatron);
        }
    }

    #[test]
    fn without_a_walkup_the_desk_shows_the_chosen_presence() {
        assert_eq!(desk_state(Presence::Available, false), DeskState::Available);
        assert_eq!(desk_state(Presence::Away, false), DeskState::Away);
        assert_eq!(desk_state(Presence::Offline, false), DeskState::Offline);
    }
}
