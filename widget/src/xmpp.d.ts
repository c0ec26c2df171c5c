// The few parts of @xmpp/client (plain JavaScript, no types of its own) the chat box uses.
declare module "@xmpp/client" {
  export interface Element {
    name: string;
    attrs: Record<string, string | undefined>;
    is(name: string, xmlns?: string): boolean;
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildText(name: string, xmlns?: string): string | null;
  }
  export interface Client {
    on(event: "stanza", listener: (stanza: Element) => void): void;
    on(event: "online", listener: (address: { toString(): string }) => void): void;
    on(event: "error" | "offline", listener: (e?: unknown) => void): void;
    start(): Promise<unknown>;
    stop(): Promise<unknown>;
    send(element: Element): Promise<unknown>;
    /** XEP-0099 style request: the reply's child of the same name, or a rejection on an error. */
    iqCaller: { get(element: Element, to?: string, timeout?: number): Promise<Element | undefined> };
  }
  export function client(options: { service: string; domain: string; resource?: string }): Client;
  export function xml(name: string, attrs?: Record<string, string>, ...children: (Element | string)[]): Element;
}
