/* antipestbot launcher for a school's own website. The school pastes one line:
 *
 *   <script src="https://<chat host>/widget.js" defer></script>
 *
 * and gets a fixed "Meld pesten" button that opens the chat in a new tab, as its own page on
 * the chat's host, never in an iframe: there the chat keeps its strict CSP, its quick exit
 * leaves a page the child controls, and the school's site sees nothing of the conversation.
 * Options on the script tag: data-lang="en" (English), data-school="<slug>" (that school's own
 * chat, /s/<slug>/; `antipestbot school add` prints the line with it).
 * It adds this one element and nothing else; its looks are set from script (element.style),
 * which a site's CSP allows where a <style> element might not be.
 */
"use strict";

(() => {
  const script = document.currentScript;
  if (!script || !script.src) return;
  const lang = script.dataset.lang === "en" ? "en" : "nl";
  const LABELS = { nl: "Meld pesten", en: "Report bullying" };
  const school = script.dataset.school || "";
  const path = /^[A-Za-z0-9_-]{1,64}$/.test(school) ? `/s/${school}/` : "/";
  const chat = new URL(path, new URL(script.src).origin); // the chat lives where this file does
  if (lang !== "nl") chat.searchParams.set("lang", lang);

  const LOOK = {
    position: "fixed",
    bottom: "16px",
    right: "16px",
    "z-index": "2147483000",
    display: "inline-flex",
    "align-items": "center",
    gap: "8px",
    "min-width": "44px",
    "min-height": "48px",
    margin: "0",
    padding: "10px 18px",
    "box-sizing": "border-box",
    border: "2px solid #ffffff",
    "border-radius": "999px",
    background: "#1d4f91", // white on this: 8.6:1
    color: "#ffffff",
    font: "600 18px/1.2 system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
    "text-decoration": "none",
    "box-shadow": "0 2px 8px rgba(0, 0, 0, 0.35)",
    cursor: "pointer",
  };

  function add() {
    if (document.getElementById("antipest-launcher")) return; // pasted twice: one button
    const link = document.createElement("a");
    link.id = "antipest-launcher";
    link.href = chat.href; // a real link too: middle-click and "open in new tab" work
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.lang = lang;
    const icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = "💬";
    link.append(icon, document.createTextNode(LABELS[lang]));
    // "important": the site's own styles for links must not hide or recolour the button.
    for (const [name, value] of Object.entries(LOOK)) link.style.setProperty(name, value, "important");
    const ring = (on) => {
      link.style.setProperty("outline", on ? "3px solid #0b57d0" : "none", "important");
      link.style.setProperty("outline-offset", "3px", "important");
    };
    link.addEventListener("focus", () => ring(link.matches(":focus-visible")));
    link.addEventListener("blur", () => ring(false));
    link.addEventListener("click", (event) => {
      event.preventDefault();
      window.open(chat.href, "_blank", "noopener,noreferrer");
    });
    document.body.append(link);
  }

  if (document.body) add();
  else document.addEventListener("DOMContentLoaded", add);
})();
