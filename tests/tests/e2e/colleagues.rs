//! Colleagues: the directory of librarians and handing a chat between desks.

use super::*;

#[test]
fn pass_on_lists_the_librarians_of_the_roster_group_with_their_presence() {
    use refdesk_core::xmpp::Show;
    use refdesk_testkit::roster::{add_librarian, admin_session};
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let SignedIn { app, prosody, _server_dir, .. } = signed_in_desk("ask-secret");
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();
    prosody.register("maria", "maria-secret").unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // The library puts Maria in its "Librarians" group, subscribed both ways; she signs in.
    let mut maria = rt.block_on(async {
        let mut library = admin_session(&prosody, "ask", "ask-secret").await;
        add_librarian(&prosody, &mut library, "maria", "maria-secret", "Maria Jansen", "business, patents").await
    });
    // A patron writes; in the chat, Pass on… shows Maria as online with her status.
    let mut bot = patron(&rt, &prosody);
    rt.block_on(bot.send_message("ask@library.test", "who knows about patents?")).unwrap();
    s.click(&s.wait_for("[data-testid=tab]", WAIT).unwrap()).unwrap();
    let pass_on = s.wait_for("[data-testid=handoff-button]", WAIT).unwrap();
    wait_until("Pass on… usable with the directory alone", || s.property(&pass_on, "disabled").unwrap() == false);
    s.click(&pass_on).unwrap();
    s.wait_for_text("[data-testid=directory-entry]", WAIT, |t| {
        t.contains("Maria Jansen") && t.contains("online") && t.contains("business, patents")
    })
    .unwrap();
    // She steps away: the list says so, and keeps her status.
    rt.block_on(maria.send_presence(Show::Away, Some("lunch until 1"))).unwrap();
    s.wait_for_text("[data-testid=directory-entry]", WAIT, |t| t.contains("away") && t.contains("lunch until 1"))
        .unwrap();
    // The search narrows it.
    let search = s.find("[data-testid=colleague-search]").unwrap();
    s.send_keys(&search, "nobody-by-that-name").unwrap();
    wait_until("no match", || s.find_all("[data-testid=directory-entry]").unwrap().is_empty());

    // Maria takes patent questions on her own account: the librarian refers the patron to her.
    s.send_keys(&search, "\u{E009}a\u{E003}patents").unwrap();
    s.click(&s.wait_for("[data-testid=directory-choose]", WAIT).unwrap()).unwrap();
    s.wait_for_text("[data-testid=refer-hint]", WAIT, |t| t.contains("from their own account")).unwrap();
    s.send_keys(&s.find("[data-testid=handoff-note]").unwrap(), "wants patents since 1990").unwrap();
    let refer = s.find("[data-testid=handoff-offer]").unwrap();
    assert_eq!(s.text(&refer).unwrap(), "Refer patron");
    s.click(&refer).unwrap();
    // The patron is told who writes next, and from where; the chat ends at the desk.
    let told = next_body(&rt, &mut bot, |_| false);
    assert_eq!(
        told,
        "I'm passing your question to Maria Jansen, who will message you from maria@library.test in a moment."
    );
    wait_until("the chat has ended at the desk", || s.find_all("[data-testid=tab-phase]").is_ok_and(|v| v.is_empty()));
    // Maria has the patron's address, the question and the note, from the shared account.
    let referral = next_message(&rt, &mut maria, |_| false);
    assert_eq!(refdesk_core::xmpp::session::bare(&referral.from), "ask@library.test");
    let text = referral.body.unwrap();
    assert!(
        text.contains("xmpp:patron1@library.test")
            && text.contains("“who knows about patents?”")
            && text.contains("Note: wants patents since 1990"),
        "{text}"
    );
    // She writes to the patron herself: the patron hears her on her own address.
    rt.block_on(maria.send_message("patron1@library.test", "Hello, Maria here: patents since 1990?")).unwrap();
    let hers = next_message(&rt, &mut bot, |_| false);
    assert_eq!(refdesk_core::xmpp::session::bare(&hers.from), "maria@library.test");
    // Her thanks to the shared account is a colleague talking: shown, never put in line.
    rt.block_on(maria.send_message("ask@library.test", "On it, thanks!")).unwrap();
    wait_until("Maria's words are shown in her conversation", || {
        s.execute("return [...document.querySelectorAll('[data-testid=tab]')].map(t => t.textContent).join('|')")
            .is_ok_and(|v| v.as_str().is_some_and(|t| t.contains("Maria Jansen") && t.contains("On it, thanks!")))
    });
    assert!(s.find_all("[data-testid=tab-phase]").unwrap().is_empty(), "nobody waits: Maria is no patron");
}

/// Two desks on the shared account: this window (Maria's) and Anna's, run headless by the test kit
/// on its own database. Anna hands a chat to Maria, who accepts it in the window and answers; then
/// Maria passes it back from the window, finding Anna by subject.
#[test]
fn a_chat_is_handed_between_this_desk_and_a_colleagues_desk_both_ways() {
    const ASK: &str = "ask@library.test";
    const PATRON: &str = "patron1@library.test";
    let _turn = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let desk = signed_in_desk("ask-secret");
    let (app, prosody) = (&desk.app, &desk.prosody);
    let s = &app.session;
    s.wait_for_text("[data-testid=account-status]", WAIT, |t| t.ends_with(": online")).unwrap();

    // The librarian at this desk says who she is.
    s.click(&s.find("[data-testid=desk-card-button]").unwrap()).unwrap();
    s.send_keys(&s.wait_for("[data-testid=desk-card-name]", WAIT).unwrap(), "Maria").unwrap();
    s.send_keys(&s.find("[data-testid=desk-card-subjects]").unwrap(), "business, patents").unwrap();
    s.click(&s.find("[data-testid=desk-card-save]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=desk-card-button]", WAIT, |t| t == "You: Maria").unwrap();

    // Anna's desk (multi-threaded runtime: it keeps running between the test's calls).
    let rt = tokio::runtime::Runtime::new().unwrap();
    let anna_data = tempfile::tempdir().unwrap();
    let mut anna = rt.block_on(refdesk_testkit::service::signed_in_desk(prosody, anna_data.path()));
    rt.block_on(anna.call_myself("Anna", "maps, local history"));
    let seen =
        rt.block_on(anna.until_snapshot("Maria at Anna's desk", |s| s.colleagues.iter().any(|c| c.name == "Maria")));
    let maria = seen.colleagues.iter().find(|c| c.name == "Maria").unwrap();
    assert_eq!(maria.subjects, "business, patents");

    // A patron asks; Anna answers first, then offers the chat to Maria.
    let mut patron1 = patron(&rt, prosody);
    rt.block_on(patron1.send_message(ASK, "who knows about patents?")).unwrap();
    rt.block_on(anna.until_message("the question at Anna's desk", |m| m.incoming));
    anna.reply(ASK, PATRON, "Good question, one moment.");
    s.wait_for_text("[data-testid=tab-phase]", WAIT, |t| t == "at another desk").unwrap();
    anna.desk.lock().unwrap().add_note(ASK, PATRON, "Wants patents since 1990.", chrono::Utc::now()).unwrap();
    anna.desk.lock().unwrap().offer_chat(PATRON, &maria.resource, "patent question", chrono::Utc::now()).unwrap();
    anna.kick.notify_one();

    let offer = s.wait_for_text("[data-testid=offer-text]", WAIT, |t| t.contains("Anna")).unwrap();
    assert_eq!(offer, "Anna offers you the chat with patron1@library.test: “patent question”");
    s.click(&s.find("[data-testid=offer-accept]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=tab-phase]", WAIT, |t| t == "with you").unwrap();
    assert!(s.find_all("[data-testid=offer]").unwrap().is_empty(), "the offer is settled");
    assert_eq!(next_body(&rt, &mut patron1, |_| false), "Good question, one moment.");
    assert_eq!(next_body(&rt, &mut patron1, |_| false), "I'm passing you to Maria, one moment please.");

    // Maria opens the chat: Anna's note is there; her own note goes to Anna's desk.
    s.click(&s.find("[data-testid=tab]").unwrap()).unwrap();
    let note = s.wait_for_text("[data-testid=note]", WAIT, |t| t.contains("1990")).unwrap();
    assert!(note.starts_with("Anna, ") && note.ends_with("Wants patents since 1990."), "{note}");
    s.send_keys(&s.find("[data-testid=note-input]").unwrap(), "Sent the patent office link.\u{E007}").unwrap();
    let sent = rt.block_on(anna.until(
        "Maria's note at Anna's desk",
        |p| matches!(p, refdesk_testkit::service::Published::Note(n) if n.body == "Sent the patent office link."),
    ));
    let refdesk_testkit::service::Published::Note(sent) = sent else { unreachable!() };
    assert_eq!(sent.author, "Maria");
    // Anna's desk may hear of the note before this window redraws: wait for it here too.
    wait_until("both notes shown at Maria's desk", || s.find_all("[data-testid=note]").is_ok_and(|n| n.len() == 2));

    // Maria answers from the window; the patron hears her on the same address.
    let composer = s.wait_for("[data-testid=composer]", WAIT).unwrap();
    s.send_keys(&composer, "Maria here: start with the patent office's search.\u{E007}").unwrap();
    let got = next_message(&rt, &mut patron1, |_| false);
    assert_eq!(got.body.as_deref(), Some("Maria here: start with the patent office's search."));
    assert_eq!(refdesk_core::xmpp::session::bare(&got.from), ASK);
    assert_eq!(anna.phase_of(PATRON), Some(refdesk_core::api::ChatPhase::Elsewhere));

    // Now the patron needs a map: Maria finds Anna by subject and passes the chat back.
    s.click(&s.find("[data-testid=handoff-button]").unwrap()).unwrap();
    s.send_keys(&s.wait_for("[data-testid=colleague-search]", WAIT).unwrap(), "MAPS").unwrap();
    let listed = s.wait_for_text("[data-testid=colleague]", WAIT, |t| t.contains("Anna")).unwrap();
    assert!(listed.contains("maps, local history") && listed.contains("open"), "{listed}");
    assert_eq!(s.find_all("[data-testid=colleague]").unwrap().len(), 1);
    s.click(&s.find("[data-testid=colleague]").unwrap()).unwrap();
    s.send_keys(&s.find("[data-testid=handoff-note]").unwrap(), "needs a 1900 town map").unwrap();
    s.click(&s.find("[data-testid=handoff-offer]").unwrap()).unwrap();
    s.wait_for_text("[data-testid=handoff-pending]", WAIT, |t| t.contains("Offered to Anna")).unwrap();
    assert_eq!(next_body(&rt, &mut patron1, |_| false), "I'm passing you to Anna, one moment please.");

    let offered =
        rt.block_on(anna.until_snapshot("the offer at Anna's desk", |s| s.handoffs.iter().any(|h| h.incoming)));
    let offer = offered.handoffs.iter().find(|h| h.incoming).unwrap();
    assert_eq!((offer.note.as_str(), offer.colleague.as_str()), ("needs a 1900 town map", "Maria"));
    anna.desk.lock().unwrap().answer_offer(&offer.id, true, chrono::Utc::now()).unwrap();
    anna.kick.notify_one();
    s.wait_for_text("[data-testid=tab-phase]", WAIT, |t| t == "at another desk").unwrap();
    s.wait_for_text("[data-testid=elsewhere]", WAIT, |t| t == "Anna's desk is answering this patron.").unwrap();
    assert!(s.find_all("[data-testid=handoff-pending]").unwrap().is_empty());
    // Maria cannot answer over Anna by accident: the composer is closed for this chat.
    assert_eq!(s.property(&s.find("[data-testid=composer]").unwrap(), "disabled").unwrap(), serde_json::json!(true));
    s.save_screenshot(&artifacts().join("e2e-handoff.png"));
}
