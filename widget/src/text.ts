// The patron-facing words of the chat box, per language; chosen from data-lang, else the page's lang.

export type Lang = "en" | "nl" | "es" | "fr" | "de";

export interface Words {
  open: string;
  title: string;
  close: string;
  statusOnline: string;
  statusBusy: string;
  statusClosed: string;
  statusUnknown: string;
  privacy: string;
  privacyLink: string;
  placeholder: string;
  send: string;
  end: string;
  download: string;
  you: string;
  librarian: string;
  typing: string;
  connecting: string;
  failed: string;
  ended: string;
  /** Where the patron stands in line and the expected wait, in whole minutes. */
  place: (place: number, minutes: number) => string;
  rateTitle: string;
  rateComment: string;
  rateSend: string;
  rateSkip: string;
  rateThanks: string;
  /** A score's label for a screen reader and a tooltip. */
  rateScore: (n: number) => string;
  closedNotice: string;
  email: string;
  leave: string;
  /** The question is saved; `email`: where the answer goes (none given: no answer can come). */
  saved: (email: string | null) => string;
  /** The desk's next opening, as a day and time and the time it closes again. */
  opens: (when: string, until: string) => string;
}

const WORDS: Record<Lang, Words> = {
  en: {
    open: "Ask a librarian",
    title: "Ask a librarian",
    close: "Minimise the chat",
    statusOnline: "Librarians are online",
    statusBusy: "Librarians are busy: you may have to wait",
    statusClosed: "Chat is closed now",
    statusUnknown: "",
    privacy: "Your chat is kept by the library without your name or address details. No cookies.",
    privacyLink: "Privacy notice",
    placeholder: "Type your question",
    send: "Send",
    end: "End chat",
    download: "Save a copy",
    you: "You",
    librarian: "Librarian",
    typing: "The librarian is typing…",
    connecting: "Connecting…",
    failed: "The chat could not reach the library. Please try again in a moment.",
    ended: "Chat ended. Thank you!",
    place: (n, m) => `You are number ${n} in line (about ${m === 1 ? "a minute" : `${m} minutes`})`,
    rateTitle: "How was this chat?",
    rateComment: "Anything to add? (optional)",
    rateSend: "Send rating",
    rateSkip: "No thanks",
    rateThanks: "Thank you for your rating.",
    rateScore: (n) => `${n} of 5`,
    closedNotice: "The chat is closed now. Leave your question, and your email address if you want an answer: a librarian writes to you when the desk opens.",
    email: "Email address (optional)",
    leave: "Leave question",
    saved: (e) => (e ? `Your question is saved. A librarian will write to ${e} when the desk opens.` : "Your question is saved. Without an email address we cannot answer you."),
    opens: (w, u) => `Next open: ${w} to ${u}.`,
  },
  nl: {
    open: "Vraag het de bibliothecaris",
    title: "Vraag het de bibliothecaris",
    close: "Chat minimaliseren",
    statusOnline: "Er zijn bibliothecarissen online",
    statusBusy: "Het is druk: u moet misschien even wachten",
    statusClosed: "De chat is nu gesloten",
    statusUnknown: "",
    privacy: "De bibliotheek bewaart uw chat zonder uw naam of adresgegevens. Geen cookies.",
    privacyLink: "Privacyverklaring",
    placeholder: "Typ uw vraag",
    send: "Versturen",
    end: "Chat beëindigen",
    download: "Kopie bewaren",
    you: "U",
    librarian: "Bibliothecaris",
    typing: "De bibliothecaris typt…",
    connecting: "Verbinden…",
    failed: "De chat kan de bibliotheek niet bereiken. Probeer het zo nog eens.",
    ended: "Chat beëindigd. Bedankt!",
    place: (n, m) => `U bent nummer ${n} in de rij (ongeveer ${m === 1 ? "een minuut" : `${m} minuten`})`,
    rateTitle: "Hoe was deze chat?",
    rateComment: "Nog iets toe te voegen? (niet verplicht)",
    rateSend: "Beoordeling versturen",
    rateSkip: "Nee, dank u",
    rateThanks: "Bedankt voor uw beoordeling.",
    rateScore: (n) => `${n} van 5`,
    closedNotice: "De chat is nu gesloten. Laat uw vraag achter, en uw e-mailadres als u antwoord wilt: een bibliothecaris schrijft u als de balie opengaat.",
    email: "E-mailadres (niet verplicht)",
    leave: "Vraag achterlaten",
    saved: (e) => (e ? `Uw vraag is bewaard. Een bibliothecaris schrijft naar ${e} als de balie opengaat.` : "Uw vraag is bewaard. Zonder e-mailadres kunnen we u niet antwoorden."),
    opens: (w, u) => `Weer open: ${w} tot ${u}.`,
  },
  es: {
    open: "Pregunte a un bibliotecario",
    title: "Pregunte a un bibliotecario",
    close: "Minimizar el chat",
    statusOnline: "Hay bibliotecarios en línea",
    statusBusy: "Estamos ocupados: quizá tenga que esperar",
    statusClosed: "El chat está cerrado ahora",
    statusUnknown: "",
    privacy: "La biblioteca guarda su chat sin su nombre ni sus datos de contacto. Sin cookies.",
    privacyLink: "Aviso de privacidad",
    placeholder: "Escriba su pregunta",
    send: "Enviar",
    end: "Terminar el chat",
    download: "Guardar una copia",
    you: "Usted",
    librarian: "Bibliotecario",
    typing: "El bibliotecario está escribiendo…",
    connecting: "Conectando…",
    failed: "El chat no pudo contactar con la biblioteca. Inténtelo de nuevo en un momento.",
    ended: "Chat terminado. ¡Gracias!",
    place: (n, m) => `Es el número ${n} en la fila (unos ${m === 1 ? "un minuto" : `${m} minutos`})`,
    rateTitle: "¿Qué tal fue este chat?",
    rateComment: "¿Algo más? (opcional)",
    rateSend: "Enviar valoración",
    rateSkip: "No, gracias",
    rateThanks: "Gracias por su valoración.",
    rateScore: (n) => `${n} de 5`,
    closedNotice: "El chat está cerrado ahora. Deje su pregunta, y su correo electrónico si quiere respuesta: un bibliotecario le escribirá cuando abra el mostrador.",
    email: "Correo electrónico (opcional)",
    leave: "Dejar la pregunta",
    saved: (e) => (e ? `Su pregunta está guardada. Un bibliotecario escribirá a ${e} cuando abra el mostrador.` : "Su pregunta está guardada. Sin correo electrónico no podemos responderle."),
    opens: (w, u) => `Próxima apertura: ${w} hasta las ${u}.`,
  },
  fr: {
    open: "Demandez à un bibliothécaire",
    title: "Demandez à un bibliothécaire",
    close: "Réduire le chat",
    statusOnline: "Des bibliothécaires sont en ligne",
    statusBusy: "Nous sommes occupés : vous devrez peut-être patienter",
    statusClosed: "Le chat est fermé pour le moment",
    statusUnknown: "",
    privacy: "La bibliothèque conserve votre conversation sans votre nom ni vos coordonnées. Sans cookies.",
    privacyLink: "Politique de confidentialité",
    placeholder: "Écrivez votre question",
    send: "Envoyer",
    end: "Terminer le chat",
    download: "Garder une copie",
    you: "Vous",
    librarian: "Bibliothécaire",
    typing: "Le bibliothécaire écrit…",
    connecting: "Connexion…",
    failed: "Le chat n’a pas pu joindre la bibliothèque. Réessayez dans un instant.",
    ended: "Chat terminé. Merci !",
    place: (n, m) => `Vous êtes numéro ${n} dans la file (environ ${m === 1 ? "une minute" : `${m} minutes`})`,
    rateTitle: "Comment s’est passé ce chat ?",
    rateComment: "Un commentaire ? (facultatif)",
    rateSend: "Envoyer la note",
    rateSkip: "Non merci",
    rateThanks: "Merci pour votre note.",
    rateScore: (n) => `${n} sur 5`,
    closedNotice: "Le chat est fermé pour le moment. Laissez votre question, et votre adresse e-mail si vous voulez une réponse : un bibliothécaire vous écrira à l’ouverture.",
    email: "Adresse e-mail (facultatif)",
    leave: "Laisser la question",
    saved: (e) => (e ? `Votre question est enregistrée. Un bibliothécaire écrira à ${e} à l’ouverture.` : "Votre question est enregistrée. Sans adresse e-mail, nous ne pouvons pas vous répondre."),
    opens: (w, u) => `Prochaine ouverture : ${w} jusqu’à ${u}.`,
  },
  de: {
    open: "Fragen Sie die Bibliothek",
    title: "Fragen Sie die Bibliothek",
    close: "Chat minimieren",
    statusOnline: "Bibliothekarinnen und Bibliothekare sind online",
    statusBusy: "Gerade viel los: Sie müssen eventuell warten",
    statusClosed: "Der Chat ist jetzt geschlossen",
    statusUnknown: "",
    privacy: "Die Bibliothek bewahrt Ihren Chat ohne Ihren Namen oder Ihre Kontaktdaten auf. Keine Cookies.",
    privacyLink: "Datenschutzhinweis",
    placeholder: "Ihre Frage",
    send: "Senden",
    end: "Chat beenden",
    download: "Kopie speichern",
    you: "Sie",
    librarian: "Bibliothek",
    typing: "Die Bibliothek schreibt…",
    connecting: "Verbindung wird aufgebaut…",
    failed: "Der Chat konnte die Bibliothek nicht erreichen. Bitte versuchen Sie es gleich noch einmal.",
    ended: "Chat beendet. Vielen Dank!",
    place: (n, m) => `Sie sind Nummer ${n} in der Warteschlange (etwa ${m === 1 ? "eine Minute" : `${m} Minuten`})`,
    rateTitle: "Wie war dieser Chat?",
    rateComment: "Möchten Sie noch etwas sagen? (freiwillig)",
    rateSend: "Bewertung senden",
    rateSkip: "Nein, danke",
    rateThanks: "Danke für Ihre Bewertung.",
    rateScore: (n) => `${n} von 5`,
    closedNotice: "Der Chat ist jetzt geschlossen. Hinterlassen Sie Ihre Frage und, wenn Sie eine Antwort möchten, Ihre E-Mail-Adresse: Die Bibliothek schreibt Ihnen, sobald die Auskunft öffnet.",
    email: "E-Mail-Adresse (freiwillig)",
    leave: "Frage hinterlassen",
    saved: (e) => (e ? `Ihre Frage ist gespeichert. Die Bibliothek schreibt an ${e}, sobald die Auskunft öffnet.` : "Ihre Frage ist gespeichert. Ohne E-Mail-Adresse können wir Ihnen nicht antworten."),
    opens: (w, u) => `Wieder geöffnet: ${w} bis ${u}.`,
  },
};

/** The language from an attribute or the page's lang ("nl-BE" -> nl), else English. */
export function pickLang(attr: string | undefined, pageLang: string): Lang {
  for (const tag of [attr ?? "", pageLang]) {
    const base = tag.trim().toLowerCase().split(/[-_]/)[0];
    if (base && base in WORDS) return base as Lang;
  }
  return "en";
}

/** The language the patron writes in, as the page says it ("nl-BE"), sent with each question so
 *  the desk answers in it where the library wrote its replies in that language; else `fallback`. */
export function langTag(attr: string | undefined, pageLang: string, fallback: Lang): string {
  for (const tag of [attr ?? "", pageLang]) {
    const t = tag.trim();
    if (!/^[a-z]{2,8}(-[a-z0-9]{1,8})*$/i.test(t) || t.length > 35) continue;
    try {
      // A tag of the right shape may still be no locale ("en-x"); the date formats would throw.
      return Intl.getCanonicalLocales(t)[0] ?? fallback;
    } catch {
      continue;
    }
  }
  return fallback;
}

export function words(lang: Lang): Words {
  return WORDS[lang];
}
