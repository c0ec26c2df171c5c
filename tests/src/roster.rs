//! An account's roster set up as a library's IT would, from another client of the account: a
//! contact named and grouped, a librarian in the directory group with presence both ways.

use refdesk_core::xmpp::{connect, AccountConfig, Incoming, Session, Show};

use crate::service::WAIT;
use crate::Prosody;

/// Another client of `user`'s account (resource "admin"), signed in, no presence sent.
pub async fn admin_session(p: &Prosody, user: &str, password: &str) -> Session {
    let cfg = AccountConfig { resource: "admin".into(), ..p.client_config(user) };
    connect(&cfg, password).await.expect("the admin client signs in")
}

/// Names `jid` on the roster of `session`'s account and puts it in `groups`; returns once the
/// server has taken the change.
pub async fn name_contact(session: &mut Session, jid: &str, name: &str, groups: &[&str]) {
    let id = session.set_roster_item(jid, Some(name), groups).await.expect("the roster change is sent");
    tokio::time::timeout(WAIT, async {
        loop {
            if let Incoming::IqResponse { id: got, error, .. } =
                session.next().await.expect("the admin client stays signed in")
            {
                if got == id {
                    assert_eq!(error, None, "the server refused the roster change");
                    return;
                }
            }
        }
    })
    .await
    .expect("the server answers the roster change");
}

/// `user` (registered on `p`) joins the directory group "Librarians" of the account `library`
/// belongs to as `name`, with presence subscriptions both ways, and signs in with `status`.
/// Returns the librarian's own session once the server has settled the subscriptions.
pub async fn add_librarian(
    p: &Prosody,
    library: &mut Session,
    user: &str,
    password: &str,
    name: &str,
    status: &str,
) -> Session {
    let jid = format!("{user}@{}", p.domain);
    name_contact(library, &jid, name, &["Librarians"]).await;
    library.subscribe(&jid).await.expect("the subscription is asked for");
    let mut librarian = connect(&p.client_config(user), password).await.expect("the librarian signs in");
    librarian.subscribe(library.bare_jid()).await.expect("the subscription is answered");
    librarian.send_presence(Show::Available, Some(status)).await.expect("presence");
    let ping = librarian.send_ping(None).await.expect("ping");
    tokio::time::timeout(WAIT, async {
        while !matches!(librarian.next().await, Ok(Incoming::IqResponse { id: ref got, .. }) if *got == ping) {}
    })
    .await
    .expect("the server answers");
    librarian
}

/// How the library's account stands on `s`'s roster once the library has answered its request to
/// see the desk's presence ("none": refused, "to": allowed), from the server's pushes (while it
/// waits, the push says pending). `s` must have asked for its roster (an interested resource).
pub async fn library_subscription(s: &mut Session) -> String {
    tokio::time::timeout(std::time::Duration::from_secs(20), async {
        loop {
            if let Ok(Incoming::RosterPush { item }) = s.next().await {
                if item.jid.starts_with("ask@") && !item.pending {
                    return item.subscription;
                }
            }
        }
    })
    .await
    .expect("the server tells the patron's client how the request went")
}
