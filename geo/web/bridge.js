// The bridge between the page and the map (a Streamlit v2 component, run in the page).
// The map lives in its own frame of the same origin; both meet on window.__flashpoint.
// From the page it takes the view state (date when the page moved it, selection, story
// highlight, time mode) and hands it to the map; from the map it takes the settled date and
// picked events and hands them to the page as triggers; the map's view goes straight into
// the address, with no rerun at all.
export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  const hub = window.__flashpoint || (window.__flashpoint = {});
  const bridge = hub.bridge || (hub.bridge = {
    state: null,
    send: null,
    attach(map) {
      if (this.state && this.state.dataset === map.cfg.dataset) map.setState(this.state);
    },
    tell(name, value) {
      if (name === "view") {
        this.view = { lat: value.lat, lon: value.lon, zoom: value.zoom };
        writeView(value);
        // Only a large table read a view at a time hears of the view, and only when it
        // leaves the window read (or looks far into one whose events were cut short).
        if (!outsideWindow(this.state, value.box)) return;
      }
      if (this.send) {
        // The map's latest view rides along, so the page can write it with the rest.
        this.send(name, { value: value, view: this.view || null });
      }
    },
  });
  bridge.send = setTriggerValue;
  bridge.state = data;
  if (hub.map && hub.map.cfg.dataset === data.dataset) hub.map.setState(data);
  // The page may have rewritten the address this run; the map's view stays in it.
  if (bridge.view) setTimeout(() => writeView(bridge.view), 0);
  // The page's language, for screen readers; right to left is set on the content (the page's
  // CSS), not on the document, whose direction would move Streamlit's sliding sidebar.
  document.documentElement.lang = data.lang;
  parentElement.dir = data.dir;
  hub.words = data.words;
  drawShareBox(parentElement);
  if (data.lang !== "en") nameUploaderControls(hub);

  // Streamlit names its uploader's controls for screen readers in English and has no setting
  // for it (ui/language.py draws the visible words): the names are set here, again whenever
  // Streamlit redraws the uploader. Text from the file's name is only ever put in an attribute.
  function nameUploaderControls(hub) {
    if (!hub.uploaderWatch) {
      hub.uploaderWatch = new MutationObserver(() => nameUploader(hub.words));
      hub.uploaderWatch.observe(document.body, { childList: true, subtree: true });
    }
    nameUploader(hub.words);
  }

  function nameUploader(words) {
    if (!words || !words["uploader.input"]) return;
    const named = (el, name) => {
      if (el.getAttribute("aria-label") !== name) el.setAttribute("aria-label", name);
    };
    const box = '[data-testid="stFileUploader"] ';
    document.querySelectorAll(box + '[data-testid="stFileUploaderDropzoneInput"]')
      .forEach((el) => named(el, words["uploader.input"]));
    document.querySelectorAll(box + '[data-testid="stBaseButton-borderlessIcon"]')
      .forEach((el) => named(el, words["uploader.add"]));
    document.querySelectorAll(box + '[data-testid="stFileChipDeleteBtn"] button').forEach((el) => {
      const chip = el.closest('[data-testid="stFileChip"]');
      const file = chip && chip.querySelector('[data-testid="stFileChipName"]');
      named(el, words["uploader.remove"].replace("{name}", file ? file.textContent : ""));
    });
  }

  function writeView(view) {
    const url = new URL(window.location.href);
    url.searchParams.set("lat", view.lat.toFixed(4));
    url.searchParams.set("lon", view.lon.toFixed(4));
    url.searchParams.set("zoom", String(Math.round(view.zoom)));
    if (url.href !== window.location.href) window.history.replaceState(window.history.state, "", url.href);
    if (hub.shareBox) refreshShare(hub.shareBox);
  }
}

// Whether the map's view needs another window of a large table (geo/pushdown.py's `stale`):
// the view (within the box the table may be read in) leaves the window read, or the window's
// events were cut short and the view is a sixteenth of it or less.
function outsideWindow(state, box) {
  if (!state || !state.held || !state.bound || !Array.isArray(box)) return false;
  const [bw, bs, be, bn] = state.bound;
  const wide = box[2] - box[0] >= 360;
  const west = Math.max(wide ? -180 : box[0], bw);
  const east = Math.min(wide ? 180 : box[2], be);
  const south = Math.max(box[1], bs);
  const north = Math.min(box[3], bn);
  if (!(west < east && south < north)) return false;
  const [hw, hs, he, hn] = state.held;
  if (west < hw || south < hs || east > he || north > hn) return true;
  return state.cut && (east - west) * (north - south) * 16 <= (he - hw) * (hn - hs);
}

// "Share this view": the address bar is the one description of the view, so the link shown
// is the address itself, read whenever it is looked at; the embed code frames the same address
// with Streamlit's own `embed=true`.
function drawShareBox(root) {
  const hub = window.__flashpoint;
  let box = root.querySelector("details.fp-share");
  if (!box) {
    box = document.createElement("details");
    box.className = "fp-share";
    const summary = document.createElement("summary");
    const link = copyField("fp-share-link", "share.link", "share.copy_link", "input");
    const embed = copyField("fp-share-embed", "share.embed", "share.copy_embed", "textarea");
    const note = document.createElement("p");
    box.addEventListener("toggle", () => refreshShare(box));
    box.append(summary, link, embed, note);
    root.appendChild(box);
  }
  hub.shareBox = box;
  setTimeout(() => refreshShare(box), 0);
}

function copyField(cls, label, action, tag) {
  const wrap = document.createElement("div");
  wrap.className = cls;
  const field = document.createElement(tag);
  if (tag === "input") field.type = "text";
  else field.rows = 3;
  field.readOnly = true;
  field.dataset.label = label;
  field.dir = "ltr";
  const copy = document.createElement("button");
  copy.type = "button";
  copy.dataset.label = action;
  copy.addEventListener("click", () => {
    field.select();
    navigator.clipboard?.writeText(field.value).catch(() => {});
    copy.textContent = window.__flashpoint.words["share.copied"];
  });
  wrap.append(field, copy);
  return wrap;
}

// The embed code: an <iframe> of this view's address with embed=true, sized for an article.
function embedCode(href, title) {
  const url = new URL(href);
  url.searchParams.set("embed", "true");
  const attr = (text) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  return `<iframe src="${attr(url.href)}" width="640" height="480" style="border:0" title="${attr(title)}" loading="lazy"></iframe>`;
}

// Every run may bring another language; the words and the two codes are rewritten each time.
function refreshShare(box) {
  const words = window.__flashpoint.words;
  const href = window.location.href;
  box.querySelector("summary").textContent = words["share.title"];
  box.querySelector("p").textContent = words["share.note"];
  box.querySelector(".fp-share-link input").value = href;
  box.querySelector(".fp-share-embed textarea").value = embedCode(href, words["share.frame_title"]);
  box.querySelectorAll("[data-label]").forEach((node) => {
    if (node.tagName === "BUTTON") node.textContent = words[node.dataset.label];
    else node.setAttribute("aria-label", words[node.dataset.label]);
  });
}
