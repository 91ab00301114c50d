// Cascading province -> ward select. Without JavaScript the form still works: the server
// lists the wards of the chosen province after a submit and rejects a mismatched pair.
(function () {
  "use strict";
  var province = document.getElementById("id_province_code");
  var ward = document.getElementById("id_ward_code");
  if (!province || !ward) { return; }
  province.addEventListener("change", function () {
    var url = ward.getAttribute("data-wards-url") + "?tinh=" + encodeURIComponent(province.value);
    ward.disabled = true;
    fetch(url, { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var first = ward.options[0];
        ward.innerHTML = "";
        ward.appendChild(first);
        (data.wards || []).forEach(function (item) {
          var option = document.createElement("option");
          option.value = item.code;
          option.textContent = item.name;
          ward.appendChild(option);
        });
      })
      .finally(function () { ward.disabled = false; });
  });
})();
