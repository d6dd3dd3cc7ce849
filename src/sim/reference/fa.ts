import { element } from "./xml.js";

/** requestFA / replaceFA data types (IB's FADataType). Profiles were removed at server version 177. */
export const FaDataType = { GROUPS: 1, PROFILES: 2, ALIASES: 3 } as const;

const ROOT_ELEMENT: Record<number, string> = {
  [FaDataType.GROUPS]: "ListOfGroups",
  [FaDataType.PROFILES]: "ListOfAllocationProfiles",
  [FaDataType.ALIASES]: "ListOfAccountAliases",
};

/** The elements that name an account in any of the three documents. */
const ACCOUNT_ELEMENTS = new Set(["acct", "account", "String"]);

function groupsXml(accounts: readonly string[]): string {
  const group = (name: string, members: readonly string[]) =>
    `<Group>${element("name", name)}${element("defaultMethod", "AvailableEquity")}<ListOfAccts varName="list">${members
      .map((account) => `<Account>${element("acct", account)}${element("amount", "0.0")}</Account>`)
      .join("")}</ListOfAccts></Group>`;
  const [first, ...rest] = accounts;
  const groups = [group("All", accounts)];
  if (first !== undefined && rest.length > 0) groups.push(group("Primary", [first]), group("Others", rest));
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListOfGroups varName="groups">${groups.join("")}</ListOfGroups>`;
}

function profilesXml(accounts: readonly string[]): string {
  const allocations = accounts
    .map(
      (account) =>
        `<Allocation>${element("acct", account)}${element("amount", (100 / accounts.length).toFixed(1))}</Allocation>`,
    )
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListOfAllocationProfiles varName="profiles"><AllocationProfile>${element("name", "Equal")}${element("type", 1)}<ListOfAllocations varName="listOfAllocations">${allocations}</ListOfAllocations></AllocationProfile></ListOfAllocationProfiles>`;
}

function aliasesXml(accounts: readonly string[]): string {
  const aliases = accounts
    .map(
      (account, index) =>
        `<AccountAlias>${element("account", account)}${element("alias", `Client ${index + 1}`)}</AccountAlias>`,
    )
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListOfAccountAliases varName="list">${aliases}</ListOfAccountAliases>`;
}

const DEFAULT_DOCUMENTS: Record<number, (accounts: readonly string[]) => string> = {
  [FaDataType.GROUPS]: groupsXml,
  [FaDataType.PROFILES]: profilesXml,
  [FaDataType.ALIASES]: aliasesXml,
};

export function isFaDataType(value: number): boolean {
  return Object.hasOwn(ROOT_ELEMENT, value);
}

interface XmlOutline {
  readonly root: string;
  /** Text of every element naming an account. */
  readonly accounts: readonly string[];
}

const TAG = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/y;

/**
 * Just enough XML to validate an FA document: tags must nest and close, there must be one root, and text may not hold
 * a bare "<". Returns undefined with a reason when the document is malformed.
 */
function outline(xml: string): XmlOutline | { error: string } {
  const body = xml.replace(/^\s*<\?xml[^?]*\?>/, "").replace(/<!--[\s\S]*?-->/g, "");
  const stack: string[] = [];
  const accounts: string[] = [];
  let root: string | undefined;
  let position = 0;
  let text = "";
  while (position < body.length) {
    const next = body.indexOf("<", position);
    if (next < 0) {
      text = body.slice(position);
      position = body.length;
      break;
    }
    text = body.slice(position, next);
    if (stack.length === 0 && text.trim() !== "") return { error: "text outside the root element" };
    TAG.lastIndex = next;
    const tag = TAG.exec(body);
    if (!tag) return { error: `malformed tag at offset ${next}` };
    const [whole, closing, name = "", , selfClosing] = tag;
    if (closing) {
      if (stack.pop() !== name) return { error: `</${name}> does not close the open element` };
      if (ACCOUNT_ELEMENTS.has(name)) accounts.push(text.trim());
    } else {
      if (stack.length === 0) {
        if (root !== undefined) return { error: "more than one root element" };
        root = name;
      }
      if (!selfClosing) stack.push(name);
    }
    position = next + whole.length;
  }
  if (text.trim() !== "" && stack.length === 0 && root !== undefined) return { error: "text after the root element" };
  if (stack.length > 0) return { error: `<${stack.at(-1)}> is never closed` };
  if (root === undefined) return { error: "no root element" };
  return { root, accounts };
}

/**
 * The login's financial-advisor configuration: generated from the managed accounts until a client replaces a
 * document, then what it stored (as TWS keeps it for the login, every client sees the replacement).
 */
export class FaConfiguration {
  private readonly replaced = new Map<number, string>();

  constructor(private readonly accounts: readonly string[]) {}

  document(faDataType: number): string {
    const stored = this.replaced.get(faDataType);
    if (stored !== undefined) return stored;
    const generate = DEFAULT_DOCUMENTS[faDataType];
    if (!generate) throw new RangeError(`FA data type ${faDataType} does not exist`);
    return generate(this.accounts);
  }

  /** Stores `xml` as the `faDataType` document, or says why TWS would reject it. */
  replace(faDataType: number, xml: string): { ok: true } | { ok: false; reason: string } {
    const expectedRoot = ROOT_ELEMENT[faDataType];
    if (!expectedRoot) return { ok: false, reason: `FA data type ${faDataType} does not exist` };
    if (xml.trim() === "") return { ok: false, reason: "An XML string is required for this operation" };
    const parsed = outline(xml);
    if ("error" in parsed) return { ok: false, reason: `invalid XML: ${parsed.error}` };
    if (parsed.root !== expectedRoot) {
      return { ok: false, reason: `expected a <${expectedRoot}> document, got <${parsed.root}>` };
    }
    const unknown = parsed.accounts.find((account) => !this.accounts.includes(account));
    if (unknown !== undefined)
      return { ok: false, reason: `account ${JSON.stringify(unknown)} is not managed by this login` };
    this.replaced.set(faDataType, xml);
    return { ok: true };
  }
}
