// Types for ltx 3.1 (which ships none): the parts of its API this project uses, as its
// src/ltx.js exports them.

declare module "ltx" {
  /** A child of an element: another element or a run of text (unescaped). */
  export type Node = Element | string;

  /** What `createElement` accepts as children: nulls, booleans and "" are skipped, arrays flattened. */
  export type ElementChild = Node | number | boolean | null | undefined | ElementChild[];

  export class Element {
    constructor(name: string, attrs?: Record<string, string> | string | null);
    /** The qualified name as written, prefix included: "message", "stream:features". */
    name: string;
    /** Attribute values, unescaped; `xmlns` and `xmlns:prefix` declarations included. */
    attrs: Record<string, string>;
    children: Node[];
    parent: Element | null;

    /** Local name equal to `name` and, when given, namespace (resolved upwards) equal to `xmlns`. */
    is(name: string, xmlns?: string): boolean;
    /** The name without its prefix. */
    getName(): string;
    /** The element's namespace, resolved through its ancestors. */
    getNS(): string | undefined;
    findNS(prefix?: string): string | undefined;
    getXmlns(): Record<string, string>;
    setAttrs(attrs: Record<string, string> | string | null | undefined): void;
    getAttr(name: string, xmlns?: string): string | undefined | null;

    getChild(name: string, xmlns?: string): Element | undefined;
    getChildren(name: string, xmlns?: string): Element[];
    getChildByAttr(attr: string, value: string, xmlns?: string, recursive?: boolean): Element | undefined;
    getChildrenByAttr(attr: string, value: string, xmlns?: string, recursive?: boolean): Element[];
    getChildrenByFilter(filter: (child: Node) => boolean, recursive?: boolean): Node[];
    getChildElements(): Element[];
    /** The concatenated text children (not the text of descendants). */
    getText(): string;
    /** The text of the first matching child, or null when there is none. */
    getChildText(name: string, xmlns?: string): string | null;

    /** The topmost ancestor, or this element. */
    root(): Element;
    tree(): Element;
    /** The parent, or this element when it has none. */
    up(): Element;
    /** Appends a new child element and returns the child. */
    c(name: string, attrs?: Record<string, string> | string | null): Element;
    /** Appends a node and returns it. */
    cnode<T extends Node>(child: T): T;
    append(...nodes: Node[]): void;
    prepend(...nodes: Node[]): void;
    /** Appends text and returns this element. */
    t(text: string): this;
    remove(element: Element): this;
    remove(name: string, xmlns?: string): this;
    /** Reads the text; with a value, replaces a sole child and returns this (ltx's own rule). */
    text(): string;
    text(value: string): this | string;
    /** Reads an attribute; with a value, sets it and returns this. */
    attr(name: string): string | undefined;
    attr(name: string, value: string): this;

    toString(): string;
    write(writer: (chunk: string) => void): void;
  }

  export function createElement(
    name: string,
    attrs?: Record<string, string | number | boolean | null | undefined> | string | null,
    ...children: ElementChild[]
  ): Element;

  export function escapeXML(text: string): string;
  export function unescapeXML(text: string): string;
  export function escapeXMLText(text: string): string;
  export function unescapeXMLText(text: string): string;

  export function equal(a: Element, b: Element): boolean;
  export function nameEqual(a: Element, b: Element): boolean;
  export function attrsEqual(a: Element, b: Element): boolean;
  export function childrenEqual(a: Element, b: Element): boolean;
  export function isNode(value: unknown): value is Node;
  export function isElement(value: unknown): value is Element;
  export function isText(value: unknown): value is string;
  export function clone<T extends Node>(node: T): T;
  export function stringify(element: Element, indent?: number | string, level?: number): string;
  export function JSONify(node: Node): unknown;

  /** Parses one complete XML document (lax: see the stream reader in src/xml for strict reading). */
  export function parse(text: string): Element;
  /** Template tag: parses the literal with its substitutions escaped. */
  export function tag(literals: TemplateStringsArray, ...substitutions: string[]): Element;
  export function tagString(literals: TemplateStringsArray, ...substitutions: string[]): string;

  /** ltx's document parser: emits "tree" with the root element, or "error". */
  export class Parser {
    constructor(options?: { Parser?: unknown; Element?: typeof Element });
    on(event: "tree", listener: (tree: Element) => void): this;
    on(event: "error", listener: (error: Error) => void): this;
    write(data: string): void;
    end(data?: string): void;
  }
}
