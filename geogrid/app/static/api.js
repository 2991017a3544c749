/* Calls to the /v1 API with this phone's device secret, and what a failure means:
   retry (no network, server trouble), signed out (the secret is revoked or expired), or
   refused (the server will never take this item: keep it, show why). */
"use strict";
var GG = window.GG || (window.GG = {});

GG.api = (function () {
  var secret = null;

  function Failure(kind, message, status) {
    this.kind = kind; // "retry" | "signed_out" | "refused"
    this.message = message;
    this.status = status || 0;
  }

  // The API names the field at fault in English: the phone says which one in Chinese first,
  // then the server's words (the station reads those when the assistant calls).
  var FIELDS = {
    category: "类别", text: "内容", lon: "位置", lat: "位置", point: "位置", places: "位置",
    reported_at: "上报时间", started_at: "开始时间", stopped_at: "结束时间", day: "日期",
    photo_ids: "照片", photo: "照片", files: "照片", note: "说明", reason: "原因",
    address: "地址", record: "登记信息", data: "登记信息", kind: "种类", id: "编号",
    request_id: "编号", report_id: "案件", patrol_id: "巡查", proposal_id: "申报",
    due_at: "期限", first_day: "开始日期", until: "截止日期", device_name: "手机名称",
    body: "提交内容", "Content-Type": "提交内容",
  };
  var STATUSES = {
    400: "提交内容有误", 401: "登录已失效，请重新登录", 403: "无此权限",
    404: "找不到（可能已删除或不在您的网格）",
    409: "已被他人处理", 413: "文件太大", 415: "文件类型不支持", 422: "内容无法处理",
    429: "请求过多，稍后自动重试", 500: "服务器出错，稍后自动重试", 503: "服务器忙，稍后自动重试",
  };

  // `names`: a call's own names for its fields (the address form's `text` is the address).
  function fieldName(field, names) {
    var head = String(field).split(/[.\[]/)[0], own = names || {};
    return own[head] || own[field] || FIELDS[head] || FIELDS[field] || null;
  }

  function problemText(body, status, names) {
    var detail = body && (body.detail ||
      (body.errors && body.errors.length ? body.errors[0].message : ""));
    // a field is "at fault" only in a 400 or 422; a 404 or 409 names the item it looked for
    var wrong = (status === 400 || status === 422) && body && body.field;
    var name = wrong ? fieldName(body.field, names) : null;
    var lead = name ? "「" + name + "」有误" : (STATUSES[status] || "服务器答复 " + status);
    return detail ? lead + "：" + detail : lead;
  }

  function call(method, path, options) {
    options = options || {};
    var headers = {};
    if (secret) headers.Authorization = "Bearer " + secret;
    var body;
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.json);
    } else if (options.form) {
      body = options.form;
    }
    return fetch(path, { method: method, headers: headers, body: body, cache: "no-store" })
      .catch(function () { throw new Failure("retry", "无网络"); })
      .then(function (response) { return answer(response, options.blob, options.names); });
  }

  function answer(response, asBlob, names) {
    var status = response.status;
    if (status >= 200 && status < 300) {
      if (status === 204) return null;
      return asBlob ? response.blob() : response.json();
    }
    return response.json().catch(function () { return null; }).then(function (body) {
      var message = problemText(body, status, names);
      if (status === 401) throw new Failure("signed_out", message, status);
      if (status >= 500 || status === 408 || status === 429) throw new Failure("retry", message, status);
      throw new Failure("refused", message, status);
    });
  }

  return {
    Failure: Failure,
    setSecret: function (value) { secret = value; },
    signedIn: function () { return !!secret; },
    get: function (path, options) { return call("GET", path, options); },
    post: function (path, json, names) { return call("POST", path, { json: json, names: names }); },
    put: function (path, json) { return call("PUT", path, { json: json }); },
    postForm: function (path, form) { return call("POST", path, { form: form }); },
    del: function (path) { return call("DELETE", path); },
  };
})();
