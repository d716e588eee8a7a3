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
        this.view = value;
        writeView(value);
      } else if (this.send) {
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
  drawShareBox(parentElement);

  function writeView(view) {
    const url = new URL(window.location.href);
    url.searchParams.set("lat", view.lat.toFixed(4));
    url.searchParams.set("lon", view.lon.toFixed(4));
    url.searchParams.set("zoom", String(Math.round(view.zoom)));
    if (url.href !== window.location.href) window.history.replaceState(window.history.state, "", url.href);
    if (hub.shareBox) refreshShare(hub.shareBox);
  }
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
    summary.textContent = "Share this view";
    const link = copyField("fp-share-link", "Link to this view", "Copy link", "input");
    const embed = copyField("fp-share-embed", "Embed code for this view", "Copy embed code", "textarea");
    const note = document.createElement("p");
    note.textContent = "The address bar always holds this link too. The embed code shows the map and the selected event in a 640 by 480 frame.";
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
  field.setAttribute("aria-label", label);
  const copy = document.createElement("button");
  copy.type = "button";
  copy.textContent = action;
  copy.dataset.label = action;
  copy.addEventListener("click", () => {
    field.select();
    navigator.clipboard?.writeText(field.value).catch(() => {});
    copy.textContent = "Copied";
  });
  wrap.append(field, copy);
  return wrap;
}

// The embed code: an <iframe> of this view's address with embed=true, sized for an article.
function embedCode(href) {
  const url = new URL(href);
  url.searchParams.set("embed", "true");
  const attr = (text) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  return `<iframe src="${attr(url.href)}" width="640" height="480" style="border:0" title="Flashpoint map" loading="lazy"></iframe>`;
}

function refreshShare(box) {
  const href = window.location.href;
  box.querySelector(".fp-share-link input").value = href;
  box.querySelector(".fp-share-embed textarea").value = embedCode(href);
  box.querySelectorAll("button").forEach((b) => {
    b.textContent = b.dataset.label;
  });
}
