/* Photos are made small on the phone before they are kept: a 12-megapixel camera photo
   becomes a JPEG of at most 1280 px on its longer side (about 150-300 KB), so the outbox
   stays small and an upload over a weak signal stays short. */
"use strict";
var GG = window.GG || (window.GG = {});

GG.photos = (function () {
  var LONGEST = 1280, QUALITY = 0.75, MAX = 9;

  function load(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file), image = new Image();
      image.onload = function () { URL.revokeObjectURL(url); resolve(image); };
      image.onerror = function () { URL.revokeObjectURL(url); reject(new Error("不是照片：" + file.name)); };
      image.src = url;
    });
  }

  /* A File from the camera -> a downscaled JPEG Blob. */
  function downscale(file) {
    return load(file).then(function (image) {
      var scale = Math.min(1, LONGEST / Math.max(image.naturalWidth, image.naturalHeight));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(image.naturalWidth * scale));
      canvas.height = Math.max(1, Math.round(image.naturalHeight * scale));
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", QUALITY); });
    });
  }

  /* Downscale up to MAX files, in order (one at a time: cheap phones run out of memory). */
  function prepare(files) {
    var list = Array.prototype.slice.call(files, 0, MAX), out = [];
    return list.reduce(function (chain, file) {
      return chain.then(function () { return downscale(file); }).then(function (b) { out.push(b); });
    }, Promise.resolve()).then(function () { return out; });
  }

  return { MAX: MAX, downscale: downscale, prepare: prepare };
})();
