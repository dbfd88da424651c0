/* daoyi chat widget. One script tag and a container:
 *   <div id="daoyi-chat"></div>
 *   <script src="/widget.js" data-target="#daoyi-chat" defer></script>  (from the daoyi server)
 * Without data-target, the widget opens as a floating panel.
 * It talks to the server it was loaded from and loads nothing else. */
(function () {
  "use strict";
  var CONFIG = window.__daoyiConfig || { labels: {}, starters: [] };
  var L = CONFIG.labels || {};
  var script = document.currentScript;
  var api = script && script.src ? new URL(script.src, location.href).origin : "";
  var storeKey = "daoyi.session";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  // Text with links: URLs become anchors, everything else stays text.
  function richText(node, text) {
    var re = /https?:\/\/[^\s，。；、）)]+/g, last = 0, m;
    while ((m = re.exec(text))) {
      if (m.index > last) node.appendChild(document.createTextNode(text.slice(last, m.index)));
      var a = el("a", null, m[0]);
      a.href = m[0];
      a.target = "_blank";
      a.rel = "noopener";
      node.appendChild(a);
      last = m.index + m[0].length;
    }
    if (last < text.length) node.appendChild(document.createTextNode(text.slice(last)));
  }

  function mount(root) {
    root.classList.add("daoyi");
    var header = el("div", "daoyi-header");
    header.appendChild(el("div", "daoyi-title", L.title || ""));
    header.appendChild(el("div", "daoyi-subtitle", L.subtitle || ""));
    var log = el("div", "daoyi-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-label", L.title || "chat");
    var chips = el("div", "daoyi-chips");
    var form = el("form", "daoyi-form");
    var input = el("textarea", "daoyi-input");
    input.rows = 1;
    input.maxLength = 2000;
    input.placeholder = L.placeholder || "";
    input.setAttribute("aria-label", L.placeholder || "message");
    var send = el("button", "daoyi-send", L.send || "Send");
    send.type = "submit";
    form.appendChild(input);
    form.appendChild(send);
    root.appendChild(header);
    root.appendChild(log);
    root.appendChild(chips);
    root.appendChild(form);

    var session = null;
    try { session = localStorage.getItem(storeKey); } catch (e) { /* private mode */ }
    var busy = false;

    function scroll() { log.scrollTop = log.scrollHeight; }

    function bubble(role, text) {
      var b = el("div", "daoyi-msg daoyi-" + role);
      var body = el("div", "daoyi-text");
      if (text) richText(body, text);
      b.appendChild(body);
      log.appendChild(b);
      scroll();
      return b;
    }

    function setChips(list) {
      chips.textContent = "";
      (list || []).forEach(function (q) {
        var c = el("button", "daoyi-chip", q.title);
        c.type = "button";
        c.addEventListener("click", function () { ask(q.text || q.title); });
        chips.appendChild(c);
      });
    }

    function addCitation(b, cit) {
      var box = b.querySelector(".daoyi-cites");
      if (!box) {
        box = el("div", "daoyi-cites");
        b.appendChild(box);
      }
      box.appendChild(el("span", "daoyi-cite", (L.source || "") + "：" + cit.title));
    }

    // linkCard shows a department, service, place or emergency card: its
    // title, text and a link (a department's link registers).
    function linkCard(b, card) {
      var box = el("div", "daoyi-card daoyi-card-" + card.type);
      box.appendChild(el("div", "daoyi-card-title", card.title));
      if (card.text) box.appendChild(el("div", "daoyi-card-text", card.text));
      if (card.url && /^(https?:|tel:)/.test(card.url)) {
        var a = el("a", "daoyi-card-link", card.type === "department" ? (L.register || "") : (L.link || ""));
        a.href = card.url;
        if (card.url.indexOf("tel:") !== 0) { a.target = "_blank"; a.rel = "noopener"; }
        box.appendChild(a);
      }
      b.appendChild(box);
      scroll();
    }

    // progressCard shows how far a pre-consultation has come: "3 / 12"
    // as text and a bar, announced to screen readers by the reply itself.
    function progressCard(b, card) {
      var m = /(\d+)\D+(\d+)/.exec(card.title || "");
      var box = el("div", "daoyi-progress");
      box.appendChild(el("div", "daoyi-progress-label", card.title));
      if (m) {
        var bar = el("div", "daoyi-progress-bar");
        bar.setAttribute("role", "progressbar");
        bar.setAttribute("aria-valuemin", "0");
        bar.setAttribute("aria-valuemax", m[2]);
        bar.setAttribute("aria-valuenow", m[1]);
        var fill = el("div", "daoyi-progress-fill");
        fill.style.width = Math.min(100, Math.round(100 * (+m[1]) / Math.max(1, +m[2]))) + "%";
        bar.appendChild(fill);
        box.appendChild(bar);
      }
      b.insertBefore(box, b.firstChild);
    }

    function addCard(b, card) {
      if (card.type === "progress") {
        progressCard(b, card);
        return;
      }
      if (card.type === "record") {
        var rec = el("div", "daoyi-card daoyi-card-record");
        rec.appendChild(el("div", "daoyi-card-title", card.title));
        richText(rec.appendChild(el("div", "daoyi-card-text")), card.text || "");
        b.appendChild(rec);
        scroll();
        return;
      }
      if (card.type === "department" || card.type === "service" || card.type === "location" || card.type === "emergency") {
        linkCard(b, card);
        return;
      }
      if (card.type !== "choices" || !card.items) return; // an answer card repeats the text
      var list = el("div", "daoyi-choices");
      card.items.forEach(function (it) {
        var c = el("button", "daoyi-choice", it.title);
        c.type = "button";
        c.addEventListener("click", function () { ask(it.title); });
        list.appendChild(c);
      });
      b.appendChild(list);
      scroll();
    }

    function finish(b, res) {
      b.classList.remove("daoyi-pending");
      if (res && res.session_id) {
        session = res.session_id;
        try { localStorage.setItem(storeKey, session); } catch (e) { /* ignore */ }
      }
      var r = res && res.reply;
      if (r) {
        var body = b.querySelector(".daoyi-text");
        if (body.textContent !== r.text) { body.textContent = ""; richText(body, r.text); }
        if (r.urgent) b.classList.add("daoyi-urgent");
        setChips(r.quick_replies);
      }
      scroll();
    }

    function fail(b, code) {
      b.classList.remove("daoyi-pending");
      b.classList.add("daoyi-error");
      var msg = (code && L["error." + code]) || L["error.generic"] || "Error";
      var body = b.querySelector(".daoyi-text");
      body.textContent = "";
      richText(body, msg);
    }

    // ask sends a message; start, instead of text, sends a signed start
    // link (a pre-consultation the hospital prepared for this visit).
    function ask(text, start) {
      text = (text || "").trim();
      if ((!text && !start) || busy) return;
      busy = true;
      send.disabled = true;
      if (text) bubble("user", text);
      setChips([]);
      var b = bubble("bot", "");
      b.classList.add("daoyi-pending");
      b.querySelector(".daoyi-text").textContent = L.thinking || "…";
      var started = false;
      var payload = { text: text };
      if (start) payload.start = start;
      if (session) payload.session_id = session;
      fetch(api + "/v1/chat/stream", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(payload)
      }).then(function (resp) {
        if (!resp.ok) {
          return resp.json().then(function (e) { fail(b, e && e.error && e.error.code); }, function () { fail(b); });
        }
        var reader = resp.body.getReader();
        var dec = new TextDecoder();
        var buf = "";
        var done = false;
        function handle(event, data) {
          var body = b.querySelector(".daoyi-text");
          if (event === "delta") {
            if (!started) { body.textContent = ""; started = true; }
            body.appendChild(document.createTextNode(data.text));
            scroll();
          } else if (event === "citation") {
            addCitation(b, data);
          } else if (event === "card") {
            addCard(b, data);
          } else if (event === "done") {
            done = true;
            finish(b, data);
          } else if (event === "error") {
            done = true;
            fail(b, data && data.code);
          }
        }
        function pump() {
          return reader.read().then(function (r) {
            if (r.value) buf += dec.decode(r.value, { stream: true });
            var i;
            while ((i = buf.indexOf("\n\n")) >= 0) {
              var block = buf.slice(0, i);
              buf = buf.slice(i + 2);
              var event = "message", data = "";
              block.split("\n").forEach(function (line) {
                if (line.indexOf("event: ") === 0) event = line.slice(7);
                else if (line.indexOf("data: ") === 0) data += line.slice(6);
              });
              try { handle(event, JSON.parse(data)); } catch (e) { /* skip a malformed event */ }
            }
            if (r.done) { if (!done) fail(b, "network"); return; }
            return pump();
          });
        }
        return pump();
      }).catch(function () { fail(b, "network"); }).then(function () {
        busy = false;
        send.disabled = false;
      });
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var t = input.value;
      input.value = "";
      ask(t);
      input.focus();
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
      }
    });

    if (CONFIG.welcome) bubble("bot", CONFIG.welcome);
    setChips((CONFIG.starters || []).map(function (s) { return { title: s, text: s }; }));
    root.daoyiAsk = ask; // for tests and host pages
    // A start link (…#start=TOKEN) opens its pre-consultation at once; the
    // token leaves the address bar so a reload does not start it again.
    var m = /[#&]start=([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)/.exec(location.hash || "");
    if (m) {
      try { history.replaceState(null, "", location.pathname + location.search); } catch (e) { /* ignore */ }
      ask("", m[1]);
      return true;
    }
    return false;
  }

  function start() {
    var sel = script && script.getAttribute("data-target");
    var root = sel && document.querySelector(sel);
    if (root) { mount(root); return; }
    // No container: a floating launcher that opens a panel.
    var launcher = el("button", "daoyi-launcher", L.open || "Chat");
    launcher.type = "button";
    launcher.setAttribute("aria-expanded", "false");
    var panel = el("div", "daoyi-float");
    panel.hidden = true;
    document.body.appendChild(panel);
    document.body.appendChild(launcher);
    if (mount(panel)) {
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      launcher.textContent = L.close || "Close";
    }
    launcher.addEventListener("click", function () {
      panel.hidden = !panel.hidden;
      launcher.setAttribute("aria-expanded", String(!panel.hidden));
      launcher.textContent = panel.hidden ? (L.open || "Chat") : (L.close || "Close");
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
