// For the page's type check only: types/xmpp-client.d.ts names node:events' EventEmitter, and
// the page has no Node types; @xmpp/client's emitter in the browser has these methods.

declare module "node:events" {
  export class EventEmitter {
    on(event: string, listener: (...args: any[]) => void): this;
    once(event: string, listener: (...args: any[]) => void): this;
    off(event: string, listener: (...args: any[]) => void): this;
    removeListener(event: string, listener: (...args: any[]) => void): this;
    emit(event: string, ...args: unknown[]): boolean;
  }
}
