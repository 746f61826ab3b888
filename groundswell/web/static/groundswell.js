// groundswell's touches on Datasette pages (loaded as a module: runs once the page is parsed,
// before DOMContentLoaded, so before datasette-vega reads the URL fragment).

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

// A canned query whose description has an a.gs-chart link opens with that chart drawn
// (datasette-vega keeps the chart settings in the URL fragment).
function showDefaultChart() {
  const link = document.querySelector("a.gs-chart");
  if (!link || window.location.hash || !document.querySelector("table.rows-and-columns")) {
    return;
  }
  history.replaceState(null, "", link.getAttribute("href"));
}

foldColumnDescriptions();
showDefaultChart();
