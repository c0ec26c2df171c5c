//! What goes into the desk engine and what comes out: events, actions, the line's entries, and
//! the states and kinds they name.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ChatId, StaffId, WalkupId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Event {
    /// A librarian is at the desk (signed in, back from break).
    StaffOnDuty { staff: StaffId, name: String },
    /// A librarian left the desk (signed out, on break); their chats go back to the queue.
    StaffOffDuty { staff: StaffId },
    /// A patron joined the line at the physical desk.
    WalkupArrived { walkup: WalkupId },
    /// A walk-up was helped, or left the line.
    WalkupEnded { walkup: WalkupId },
    /// A patron wrote: a new chat, or more in an open one; in `lang` if their client said (a
    /// checked tag, see [`super::lang::tag`]), which the automatic replies then speak.
    PatronMessage {
        chat: ChatId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lang: Option<String>,
    },
    /// A librarian wrote in a chat.
    StaffMessage { chat: ChatId },
    /// A librarian takes a waiting chat out of turn.
    AcceptChat { chat: ChatId, staff: StaffId },
    /// A librarian takes the first chat waiting in line (whatever the cap: they chose to).
    TakeNext { staff: StaffId },
    /// A librarian puts an active chat on hold (a look in the stacks, a phone call); the patron is
    /// told once. It stays on hold until they resume it or write in it; a walk-up ending does not
    /// resume it.
    HoldChat { chat: ChatId },
    /// A librarian takes a chat off hold.
    ResumeChat { chat: ChatId },
    /// A librarian closed a chat.
    CloseChat { chat: ChatId },
    /// The patron went away (offline, closed their window).
    PatronLeft { chat: ChatId },
    /// Another desk signed in to the same account answered this chat: it is theirs, and leaves this
    /// desk's line and chats until it has been quiet for the idle time.
    TakenElsewhere { chat: ChatId },
    /// A colleague's desk took this chat over (a handoff): it closes here as transferred, and stays
    /// the other desk's like `TakenElsewhere`.
    HandedOver { chat: ChatId },
    /// The librarian referred the patron to a colleague on the colleague's own account, who
    /// writes to them from there: the chat is over at this account.
    Referred { chat: ChatId },
    /// A colleague's desk handed this chat to `staff` here: it is theirs now, whatever the cap (they
    /// accepted it).
    HandedIn { chat: ChatId, staff: StaffId },
    /// The desk that had this chat left the account (signed out, lost its link) and did not come
    /// back in time: the chat waits in this desk's line again (without a word to the patron).
    ReleasedElsewhere { chat: ChatId },
    /// This many librarians at other desks signed in to the account are open for questions: they
    /// count towards `min_staff_for_im` ("IM only when double-staffed"), though this desk never
    /// gives them its chats.
    OtherDesksOnDuty { count: u32 },
    /// A deadline from `next_deadline` was reached.
    Tick,
}

/// What the desk shows on the shared IM account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Show {
    Available,
    Busy,
    Away,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChatState {
    Waiting,
    Active,
    OnHold,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CloseReason {
    ByLibrarian,
    PatronLeft,
    Idle,
    OutsideHours,
    /// Handed to a colleague's desk.
    Transferred,
    /// Referred to a colleague on their own account.
    Referred,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ReplyKind {
    Queued,
    Reminder,
    OnHold,
    Unstaffed,
    Closed,
    Goodbye,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AlertLevel {
    Waiting,
    Escalated,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "id")]
pub enum Item {
    Walkup(WalkupId),
    Chat(ChatId),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueEntry {
    pub item: Item,
    pub arrived: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum Action {
    AutoReply { chat: ChatId, kind: ReplyKind, text: String },
    SetPresence { show: Show, status: String },
    ChatAssigned { chat: ChatId, staff: StaffId },
    ChatStateChanged { chat: ChatId, state: ChatState },
    ChatClosed { chat: ChatId, reason: CloseReason },
    WalkupAssigned { walkup: WalkupId, staff: StaffId },
    WaitAlert { chat: ChatId, level: AlertLevel, waited_secs: i64 },
    QueueChanged { queue: Vec<QueueEntry> },
}
