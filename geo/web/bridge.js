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
    if (hub.shareBox) hub.shareBox.value = window.location.href;
  }
}

// "Share this view": the address bar is the one description of the view, so the link shown
// is the address itself, read whenever it is looked at.
function drawShareBox(root) {
  const hub = window.__flashpoint;
  let box = root.querySelector("details.fp-share");
  if (!box) {
    box = document.createElement("details");
    box.className = "fp-share";
    const summary = document.createElement("summary");
    summary.textContent = "Share this view";
    const field = document.createElement("input");
    field.type = "text";
    field.readOnly = true;
    field.setAttribute("aria-label", "Link to this view");
    const copy = document.createElement("button");
    copy.type = "button";
    copy.textContent = "Copy link";
    const note = document.createElement("p");
    note.textContent = "The address bar always holds this link too.";
    copy.addEventListener("click", () => {
      field.value = window.location.href;
      field.select();
      navigator.clipboard?.writeText(field.value).catch(() => {});
      copy.textContent = "Copied";
    });
    box.addEventListener("toggle", () => {
      field.value = window.location.href;
      copy.textContent = "Copy link";
    });
    box.append(summary, field, copy, note);
    root.appendChild(box);
  }
  hub.shareBox = box.querySelector("input");
  setTimeout(() => {
    hub.shareBox.value = window.location.href;
  }, 0);
}
