// Writing HTML safely and building small bits of DOM.

/** Text made safe to put inside HTML, attribute values included. */
export const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The element with this id (or null). */
export const $ = (id) => document.getElementById(id);

/** An element: attrs `class` and `text` set className and textContent, others are attributes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const child of children.flat(Infinity)) if (child != null) node.append(child);
  return node;
}

/** The JSON a page carries in <script type="application/json" id=...>, or `fallback` if it has none. */
export function pageData(id, fallback = null) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : fallback;
}

/**
 * What the signed-in member (or guest) may do, as the server wrote it (body data-can, rushes.web.abilities):
 * scripts that draw buttons ask this, so they never offer what the API would refuse.
 */
export const can = (ability) => (document.body.dataset.can || '').split(' ').includes(ability);
