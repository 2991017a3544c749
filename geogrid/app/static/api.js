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

  function problemText(body, status) {
    if (body && body.detail) return body.detail;
    if (body && body.errors && body.errors.length) return body.errors[0].message;
    return "服务器答复 " + status;
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
      .then(function (response) { return answer(response, options.blob); });
  }

  function answer(response, asBlob) {
    var status = response.status;
    if (status >= 200 && status < 300) {
      if (status === 204) return null;
      return asBlob ? response.blob() : response.json();
    }
    return response.json().catch(function () { return null; }).then(function (body) {
      var message = problemText(body, status);
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
    post: function (path, json) { return call("POST", path, { json: json }); },
    put: function (path, json) { return call("PUT", path, { json: json }); },
    postForm: function (path, form) { return call("POST", path, { form: form }); },
    del: function (path) { return call("DELETE", path); },
  };
})();
