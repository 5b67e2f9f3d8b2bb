// The Argus console's own script: charts (Chart.js) drawn from the JSON each chart carries,
// and the batch upload (create, stream each file with its progress, complete).
"use strict";

const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2",
                 "#ca8a04", "#db2777", "#4b5563"];

function drawCharts(root) {
  if (typeof Chart === "undefined") return;
  root.querySelectorAll("canvas[data-chart]:not([data-drawn])").forEach((canvas) => {
    const figure = canvas.closest("figure");
    const data = JSON.parse(figure.querySelector('script[type="application/json"]').textContent);
    const bar = canvas.dataset.chart === "bar";
    const colours = {};
    const datasets = data.series.map((s, i) => {
      const own = s.baseline ? colours[s.label.replace(/ baseline$/, "")] : null;
      const c = own || PALETTE[i % PALETTE.length];
      if (!s.baseline) colours[s.label] = c;
      return {
        label: s.label, data: s.data, borderColor: c, backgroundColor: c,
        borderDash: s.baseline ? [6, 4] : [], pointRadius: 0, borderWidth: s.baseline ? 1 : 2,
      };
    });
    new Chart(canvas, {
      type: bar ? "bar" : "line",
      data: { labels: data.labels, datasets },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        indexAxis: bar ? "y" : "x",
        plugins: { legend: { display: !bar, position: "bottom", labels: { boxWidth: 12 } } },
        scales: bar ? { y: { ticks: { autoSkip: false, font: { size: 10 } } } } : { y: { beginAtZero: true } },
      },
    });
    canvas.dataset.drawn = String(data.labels.length);
  });
}

function apiError(status, body) {
  let detail = body && body.detail;
  if (Array.isArray(detail)) detail = detail.map((d) => `${(d.loc || []).join(".")}: ${d.msg}`).join("; ");
  return new Error(`${status}: ${detail || "the request failed"}`);
}

async function callApi(method, path, body) {
  const response = await fetch(path, {
    method, credentials: "same-origin",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let parsed = null;
  try { parsed = await response.json(); } catch (e) { parsed = null; }
  if (!response.ok) throw apiError(response.status, parsed);
  return parsed;
}

function putFile(path, file, onProgress) {
  // XMLHttpRequest, not fetch: only it reports upload progress. The browser streams the file.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", path);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let parsed = null;
      try { parsed = JSON.parse(xhr.responseText); } catch (e) { parsed = null; }
      if (xhr.status >= 200 && xhr.status < 300) resolve(parsed); else reject(apiError(xhr.status, parsed));
    };
    xhr.onerror = () => reject(new Error(`network error while uploading ${file.name}`));
    xhr.send(file);
  });
}

function parseLabels(text) {
  const labels = {};
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const at = part.indexOf("=");
    if (at < 1) throw new Error(`label "${part}" is not key=value`);
    labels[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return labels;
}

function storedName(name) {
  // The API takes letters, digits, '.', '_' and '-' and no leading dot.
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^[^A-Za-z0-9]+/, "");
  return (cleaned || "file").slice(0, 200);
}

async function submitUpload(form) {
  const errorBox = document.getElementById("upload-error");
  const list = document.getElementById("upload-progress");
  const button = form.querySelector("button[type=submit]");
  errorBox.hidden = true;
  list.replaceChildren();
  button.disabled = true;
  try {
    const files = Array.from(form.elements.files.files);
    if (!files.length) throw new Error("choose at least one file");
    const body = { source: form.elements.source.value.trim(), labels: parseLabels(form.elements.labels.value) };
    const format = form.elements.log_format.value.trim();
    if (format) body.log_format = format;
    const batch = await callApi("POST", "/api/v1/batches", body);
    for (const file of files) {
      const name = storedName(file.name);
      const item = document.createElement("li");
      const label = document.createElement("span");
      label.textContent = name;
      const bar = document.createElement("progress");
      bar.max = 1; bar.value = 0;
      bar.setAttribute("aria-label", `upload of ${name}`);
      item.append(label, " ", bar);
      list.append(item);
      await putFile(`/api/v1/batches/${batch.batch_id}/files/${encodeURIComponent(name)}`, file,
                    (share) => { bar.value = share; });
      bar.value = 1;
      item.dataset.done = "true";
    }
    await callApi("POST", `/api/v1/batches/${batch.batch_id}/complete`);
    window.location.assign(`/batches/${batch.batch_id}`);
  } catch (err) {
    errorBox.textContent = `Upload failed: ${err.message}`;
    errorBox.hidden = false;
  } finally {
    button.disabled = false;
  }
}

function formBody(form) {
  // Blank fields are left out (the API's defaults apply); data-list fields are comma lists.
  const body = {};
  for (const el of form.elements) {
    if (!el.name || el.type === "submit") continue;
    const value = el.value.trim();
    if (el.hasAttribute("data-list")) body[el.name] = value ? value.split(",").map((v) => v.trim()).filter(Boolean) : [];
    else if (value) body[el.name] = value;
  }
  return body;
}

function showError(message) {
  const box = document.getElementById("form-error");
  box.textContent = message;
  box.hidden = false;
}

async function submitApiForm(form) {
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const saved = await callApi(form.dataset.method, form.dataset.action, formBody(form));
    window.location.assign(form.dataset.then + saved.kb_id);
  } catch (err) {
    showError(`Not saved: ${err.message}`);
  } finally {
    button.disabled = false;
  }
}

async function deleteThing(button) {
  if (!window.confirm("Delete it for good?")) return;
  try {
    const response = await fetch(button.dataset.delete, { method: "DELETE", credentials: "same-origin" });
    if (!response.ok) throw apiError(response.status, await response.json().catch(() => null));
    window.location.assign(button.dataset.then);
  } catch (err) {
    showError(`Not deleted: ${err.message}`);
  }
}


// --- chat: the API answers a question as server-sent events over a POST, so the stream is
// read with fetch and parsed here (EventSource only sends GET).

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function turnBox(question) {
  const box = el("div", "turn");
  box.append(el("p", "turn-q", question));
  const tools = el("div", "tools");
  const answer = el("p", "answer");
  answer.dataset.answer = "";
  box.append(tools, answer);
  document.getElementById("chat-log").append(box);
  return { box, tools, answer };
}

function showTurn(turn) {
  const view = turnBox(turn.question);
  for (const name of turn.tools || []) view.tools.append(el("div", "tool-event", `tool ${name}`));
  view.answer.textContent = turn.answer;
  view.box.append(el("p", "muted small", turn.mode === "llm" ? "answered by the LLM" : `rule-based answer${turn.note ? `: ${turn.note}` : ""}`));
}

function parseEvents(buffer, onEvent) {
  // Complete events end with a blank line; the rest stays in the buffer.
  const text = buffer.replace(/\r\n/g, "\n");
  const blocks = text.split("\n\n");
  const rest = blocks.pop();
  for (const block of blocks) {
    let name = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) name = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (data.length) onEvent(name, JSON.parse(data.join("\n")));
  }
  return rest;
}

async function ask(section, question) {
  const view = turnBox(question);
  const payload = { question };
  if (section.dataset.thread) payload.thread_id = section.dataset.thread;
  const response = await fetch(section.dataset.chat, {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify(payload),
  });
  if (!response.ok) throw apiError(response.status, await response.json().catch(() => null));
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const onEvent = (name, data) => {
    if (name === "thread") {
      section.dataset.thread = data.thread_id;
      window.history.replaceState(null, "", `${section.dataset.page}?thread=${encodeURIComponent(data.thread_id)}`);
    } else if (name === "tool_start") {
      const args = Object.keys(data.args || {}).length ? ` ${JSON.stringify(data.args)}` : "";
      view.tools.append(el("div", "tool-event", `calling ${data.name}${args}`));
    } else if (name === "tool_result") {
      const row = el("div", "tool-event", `${data.ok ? "result of" : "failed:"} ${data.name}`);
      row.dataset.tool = data.name;
      view.tools.append(row);
    } else if (name === "token") {
      view.answer.textContent += data.text;
    } else if (name === "final") {
      view.answer.dataset.final = "true";
      view.box.append(el("p", "muted small", data.mode === "llm" ? `answered by ${data.model || "the LLM"}` : `rule-based answer${data.note ? `: ${data.note}` : ""}`));
    } else if (name === "error") {
      throw new Error(data.message || "the chat failed");
    }
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer = parseEvents(buffer + decoder.decode(value, { stream: true }), onEvent);
  }
  parseEvents(buffer + "\n\n", onEvent);
}

async function loadThread(section) {
  const response = await fetch(`${section.dataset.chat}/${encodeURIComponent(section.dataset.thread)}`, { credentials: "same-origin" });
  if (!response.ok) throw apiError(response.status, await response.json().catch(() => null));
  (await response.json()).turns.forEach(showTurn);
}

function setUpChat(section) {
  const form = document.getElementById("chat-form");
  if (section.dataset.thread) loadThread(section).catch((err) => showError(`Cannot open the thread: ${err.message}`));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const button = form.querySelector("button[type=submit]");
    const question = form.elements.question.value.trim();
    if (!question) return;
    button.disabled = true;
    document.getElementById("form-error").hidden = true;
    try {
      await ask(section, question);
      form.elements.question.value = "";
    } catch (err) {
      showError(`The chat failed: ${err.message}`);
    } finally {
      button.disabled = false;
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  drawCharts(document);
  const chat = document.querySelector("section[data-chat]");
  if (chat) setUpChat(chat);
  document.querySelectorAll("form[data-api-form]").forEach((f) =>
    f.addEventListener("submit", (e) => { e.preventDefault(); submitApiForm(f); }));
  document.querySelectorAll("button[data-delete]").forEach((b) =>
    b.addEventListener("click", () => deleteThing(b)));
  const form = document.querySelector("form[data-upload]");
  if (form) form.addEventListener("submit", (e) => { e.preventDefault(); submitUpload(form); });
});
document.addEventListener("htmx:afterSettle", () => drawCharts(document));
document.addEventListener("htmx:responseError", (e) => {
  const box = document.getElementById("page-error");
  if (box) { box.textContent = `The page could not refresh (HTTP ${e.detail.xhr.status}).`; box.hidden = false; }
});
