// groundswell's touches on Datasette pages (loaded as a module: runs once the page is parsed).

// The column descriptions go into a closed <details> instead of filling the top of the page.
function foldColumnDescriptions() {
  const list = document.querySelector("dl.column-descriptions");
  if (!list || list.closest("details")) {
    return;
  }
  const details = document.createElement("details");
  details.className = "gs-columns";
  const summary = document.createElement("summary");
  summary.textContent = `What the ${list.querySelectorAll("dt").length} columns mean`;
  list.parentNode.insertBefore(details, list);
  details.append(summary, list);
}

foldColumnDescriptions();
