/** Text and attribute values in the XML documents TWS sends (scanner parameters, fundamentals, FA). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** `<tag>text</tag>`, escaped. */
export function element(tag: string, text: string | number): string {
  return `<${tag}>${escapeXml(String(text))}</${tag}>`;
}
