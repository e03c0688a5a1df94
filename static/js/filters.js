// Filter forms: leave empty fields out of the request, so a shared URL says only what is filtered.
document.body.addEventListener("htmx:configRequest", (event) => {
  if (!event.target.closest("form.filters")) return;
  const data = event.detail.formData;
  for (const key of new Set(data.keys())) {
    const values = data.getAll(key).filter((value) => value !== "");
    data.delete(key);
    for (const value of values) data.append(key, value);
  }
});
