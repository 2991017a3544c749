/* Drawing the outbox and my work (text only through textContent: nothing the server or
   a user typed is ever parsed as HTML). */
"use strict";
var GG = window.GG || (window.GG = {});

GG.views = (function () {
  var STATES = { waiting: "待发送", sent: "已发送", refused: "被拒绝" };
  var PROPOSAL = { pending: "待核实", confirmed: "已核实", rejected: "已退回" };
  var PARTS = [["street", "街路巷"], ["house_no", "门牌号"], ["estate", "小区"], ["building", "楼栋"],
               ["unit_no", "单元"], ["floor", "楼层"], ["room", "户/室"]];
  var urls = [];

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function time(ms) { return new Date(ms).toLocaleString("zh-CN", { hour12: false }); }

  function outbox(entries) {
    var list = document.getElementById("outbox-list");
    list.replaceChildren();
    entries.sort(function (a, b) { return b.created_at - a.created_at; });
    var waiting = entries.filter(function (e) { return e.state === "waiting"; }).length;
    document.getElementById("outbox-count").textContent = waiting ? "(" + waiting + ")" : "";
    document.getElementById("outbox-summary").textContent =
      "共 " + entries.length + " 条，待发送 " + waiting + " 条";
    entries.forEach(function (e) { list.appendChild(outboxItem(e)); });
  }

  function outboxItem(e) {
    var li = el("li");
    li.dataset.id = e.id;
    li.dataset.state = e.state;
    li.appendChild(el("div", e.label + " · " + time(e.created_at)));
    var state = el("div", STATES[e.state] || e.state, "state state-" + e.state);
    li.appendChild(state);
    if (e.state === "waiting" && e.attempts) {
      li.appendChild(el("div", "已重试 " + e.attempts + " 次（" + (e.last_error || "") + "）", "muted"));
    }
    if (e.state === "refused") li.appendChild(el("div", "原因：" + e.last_error, "error"));
    if (e.state === "sent" && e.assigned) li.appendChild(el("div", "分派：" + e.assigned));
    if (e.type === "address") addressLines(li, e);
    if (e.state === "sent" && (e.type === "proposal" || e.type === "address")) {
      var decided = PROPOSAL[e.proposal_status] || e.proposal_status;
      li.appendChild(el("div", "核实：" + decided, "proposal proposal-" + e.proposal_status));
    }
    if (e.state === "sent" && e.sensitive) li.appendChild(el("div", "敏感信息已从本机删除，仅留回执", "muted"));
    var photos = e.state === "sent" ? e.photo_count : (e.photos || []).length;
    if (photos) li.appendChild(el("div", "照片 " + photos + " 张", "muted"));
    return li;
  }

  // What was written; once sent, the parts as the server read them.
  function addressLines(li, e) {
    if (e.body) li.appendChild(el("div", "地址：" + e.body.text));
    if (!e.parts) return;
    var read = PARTS.filter(function (p) { return e.parts[p[0]]; }).map(function (p) {
      return p[1] + " " + e.parts[p[0]];
    });
    li.appendChild(el("div", "服务器读作：" + read.join(" · "), "muted parts"));
  }

  function work(data, act) {
    urls.forEach(URL.revokeObjectURL);
    urls = [];
    var updated = document.getElementById("work-updated");
    updated.textContent = data.updated_at ? "更新于 " + time(data.updated_at) : "尚未同步";
    var ins = document.getElementById("instructions");
    ins.replaceChildren();
    if (!data.instructions.length) ins.appendChild(el("li", "暂无指令", "muted"));
    data.instructions.forEach(function (i) {
      var li = el("li");
      li.appendChild(el("div", (i.grid_name || i.grid) + " · " + i.actor, "muted"));
      li.appendChild(el("div", i.text));
      ins.appendChild(li);
    });
    var inbox = document.getElementById("inbox");
    inbox.replaceChildren();
    if (!data.inbox.length) inbox.appendChild(el("li", "暂无待办", "muted"));
    data.inbox.forEach(function (c) { inbox.appendChild(caseItem(c, act)); });
  }

  function caseItem(c, act) {
    var li = el("li"), r = c.report;
    li.dataset.id = r.id;
    li.appendChild(el("div", (GG.work.STEP_NAMES[c.item.waiting] || c.item.waiting) +
      (c.item.overdue ? " · 已超期" : "") + " · " + r.category_name, "state"));
    if (r.unit) li.appendChild(el("div", r.unit, "muted"));
    if (r.text) li.appendChild(el("div", r.text));
    r.notes.forEach(function (n) { li.appendChild(el("div", "记录：" + n, "muted")); });
    var pics = el("div", null, "previews");
    r.photos.forEach(function (id) {
      GG.db.get("blobs", "work/" + id).then(function (blob) {
        if (!blob) return;
        var img = el("img");
        img.alt = "现场照片";
        img.src = URL.createObjectURL(blob);
        urls.push(img.src);
        pics.appendChild(img);
      });
    });
    li.appendChild(pics);
    if (c.item.waiting === "to_handle" || c.item.waiting === "to_verify") li.appendChild(act(c));
    return li;
  }

  return { outbox: outbox, work: work, el: el };
})();
