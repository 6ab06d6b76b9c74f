/*
 * The sandbox chat page. Plain ES2020 in one file: no modules, no build step, nothing from a CDN.
 * Everything it calls is on the sandbox (same origin), under /_sandbox/chat/ (see src/routes/chat.ts):
 * the sandbox delivers each message to the ingest as a signed webhook; the bot's replies come back as
 * Server-Sent Events from the sandbox's conversation store; run records and /status are proxied.
 */
(function () {
  'use strict';

  var API = '/_sandbox/chat';
  var TERMINAL = ['completed', 'waiting_for_customer', 'rejected', 'ignored', 'failed'];
  var E164 = /^\+[1-9]\d{6,14}$/;
  var MAX_RUNS = 12;
  var STATUS_EVERY_MS = 2000;
  var CALENDAR_EVERY_MS = 15000;

  var state = {
    config: null,
    identity: null, // {name, phone, locationId}
    contact: null, // {id, name, phone}
    events: null, // EventSource
    seen: new Set(), // message ids shown
    runs: [], // [{id, text, at, record}]
    calendarTimer: null,
    pendingLocal: 0, // messages on their way to the sandbox
    streamDown: false, // the event stream closed and is being reopened
    eventsRetry: null,
  };

  var $ = function (id) { return document.getElementById(id); };
  var el = {
    banner: $('banner'),
    identity: $('identity'),
    location: $('location'),
    locationField: $('location-field'),
    chatTitle: $('chat-title'),
    name: $('name'),
    phone: $('phone'),
    identityError: $('identity-error'),
    messages: $('messages'),
    composer: $('composer'),
    input: $('composer-input'),
    suggestions: $('suggestions'),
    me: $('me'),
    meName: $('me-name'),
    mePhone: $('me-phone'),
    change: $('change-identity'),
    presence: $('chat-presence'),
    businessPhone: $('business-phone'),
    runs: $('runs'),
    runsEmpty: $('runs-empty'),
    calendar: $('calendar'),
    calendarZone: $('calendar-zone'),
    statsNote: $('stats-note'),
  };

  // ---------------------------------------------------------------- helpers

  function api(method, path, body) {
    var init = { method: method, headers: { accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(API + path, init).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
        return { ok: res.ok, status: res.status, data: data };
      });
    });
  }

  /** The message of an error answer, in GHL's shape ({message}) or the ingest's ({error: {message}}). */
  function problem(answer) {
    var d = answer && answer.data;
    if (d && typeof d.message === 'string') return d.message;
    if (d && d.error && typeof d.error.message === 'string') return d.error.message;
    if (d && Array.isArray(d.message)) return d.message.join('; ');
    return 'The sandbox answered ' + (answer ? answer.status : 'nothing');
  }

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function showBanner(text) {
    el.banner.textContent = text || '';
    el.banner.hidden = !text;
  }

  function store(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* private mode: nothing remembered */ }
  }

  function recall(key) {
    try { return JSON.parse(localStorage.getItem(key) || 'null'); } catch (e) { return null; }
  }

  function clockTime(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  /** The sandbox's locations (the first is the primary one); older sandboxes only name one. */
  function locations() {
    var c = state.config || {};
    if (Array.isArray(c.locations) && c.locations.length) return c.locations;
    return [{ id: c.locationId, name: 'Sandbox business', timeZone: c.timeZone }];
  }

  /** The location the chat writes to: the identity's, else the one picked in the form, else the primary one. */
  function currentLocation() {
    var all = locations();
    var id = state.identity ? state.identity.locationId : el.location.value;
    return all.filter(function (l) { return l.id === id; })[0] || all[0];
  }

  /** Routes act for the primary location without a locationId; only name another one. */
  function locationParam() {
    var location = currentLocation();
    return location && location !== locations()[0] ? location.id : undefined;
  }

  function businessZone() {
    var location = currentLocation();
    return (location && location.timeZone) || (state.config && state.config.timeZone) || 'UTC';
  }

  function formatWhen(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    return new Intl.DateTimeFormat('en-GB', {
      weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit',
      timeZone: businessZone(), timeZoneName: 'short',
    }).format(d);
  }

  function nearBottom() {
    var box = el.messages;
    return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  }

  function scrollToEnd() {
    el.messages.scrollTop = el.messages.scrollHeight;
  }

  // ---------------------------------------------------------------- presence

  /** The chat header's second line: who the business is, or that the bot is working on an answer. */
  function setPresence() {
    var typing = state.contact !== null && (state.pendingLocal > 0 || state.runs.some(function (r) {
      return !r.gaveUp && (!r.record || TERMINAL.indexOf(r.record.final_state) < 0);
    }));
    el.presence.textContent = '';
    el.presence.classList.toggle('typing', typing);
    if (typing) {
      el.presence.textContent = 'typing…';
      return;
    }
    var enabled = state.config && state.config.enabled;
    el.presence.appendChild(document.createTextNode((state.config ? (enabled ? 'online · ' : 'offline · ') : '') + 'WhatsApp '));
    el.presence.appendChild(el.businessPhone);
  }

  // ---------------------------------------------------------------- identity

  function normalisePhone(value) {
    return String(value || '').trim().replace(/[\s().-]/g, '');
  }

  function fieldProblem(input, text) {
    input.setAttribute('aria-invalid', 'true');
    el.identityError.textContent = text;
    input.focus();
  }

  function onIdentitySubmit(event) {
    event.preventDefault();
    var name = el.name.value.trim();
    var phone = normalisePhone(el.phone.value);
    el.name.removeAttribute('aria-invalid');
    el.phone.removeAttribute('aria-invalid');
    el.identityError.textContent = '';
    if (!name) return fieldProblem(el.name, 'Please write your name.');
    if (!E164.test(phone)) return fieldProblem(el.phone, 'The number must be in E.164 form: a +, the country code and the number, for example +15550001111.');
    el.phone.value = phone;
    startChat({ name: name, phone: phone, locationId: el.location.value || undefined }, true);
  }

  function runsKey(phone) {
    var other = locationParam();
    return 'wab.chat.runs.' + phone + (other ? '.' + other : '');
  }

  /** Finds (or makes) the contact for this name and phone, then shows the conversation and opens its stream. */
  function startChat(identity, focusComposer) {
    var submit = el.identity.querySelector('button[type=submit]');
    submit.disabled = true;
    el.identity.setAttribute('aria-busy', 'true');
    var location = locations().filter(function (l) { return l.id === identity.locationId; })[0] || locations()[0];
    identity = { name: identity.name, phone: identity.phone, locationId: location.id };
    var body = { name: identity.name, phone: identity.phone };
    if (location !== locations()[0]) body.locationId = location.id;
    return api('POST', '/contacts', body).then(function (answer) {
      if (!answer.ok || !answer.data || !answer.data.contact) throw new Error(problem(answer));
      state.identity = identity;
      state.contact = answer.data.contact;
      store('wab.chat.identity', identity);
      el.meName.textContent = identity.name;
      el.mePhone.textContent = identity.phone + (locations().length > 1 ? ' · ' + location.name : '');
      if (locations().length > 1) el.chatTitle.textContent = location.name;
      el.me.hidden = false;
      el.identity.hidden = true;
      el.messages.hidden = false;
      el.suggestions.hidden = false;
      el.composer.hidden = false;
      clearMessages();
      loadRuns();
      openEvents();
      refreshCalendar();
      setPresence();
      if (focusComposer) el.input.focus();
    }).catch(function (err) {
      el.identity.hidden = false;
      el.identityError.textContent = 'Could not start the chat: ' + err.message;
      if (focusComposer) el.name.focus();
    }).then(function () {
      submit.disabled = !(state.config && state.config.enabled);
      el.identity.removeAttribute('aria-busy');
    });
  }

  function changeIdentity() {
    closeEvents();
    store('wab.chat.identity', null);
    state.identity = null;
    state.contact = null;
    state.runs = [];
    state.pendingLocal = 0;
    clearMessages();
    renderRuns();
    renderUnderstood();
    el.me.hidden = true;
    el.messages.hidden = true;
    el.suggestions.hidden = true;
    el.composer.hidden = true;
    el.identity.hidden = false;
    el.identityError.textContent = '';
    el.chatTitle.textContent = 'Sandbox business';
    setPresence();
    refreshCalendar();
    el.name.focus();
    el.name.select();
  }

  // ---------------------------------------------------------------- conversation

  function clearMessages() {
    state.seen = new Set();
    el.messages.textContent = '';
    el.messages.appendChild(make('li', 'empty-chat',
      'Write as a customer would. Each message goes to the ingest as a signed webhook; the bot answers here.'));
  }

  function closeEvents() {
    if (state.events) state.events.close();
    state.events = null;
    clearTimeout(state.eventsRetry);
  }

  /** The contact's conversation as Server-Sent Events: history first, then each message as it is recorded. */
  function openEvents() {
    closeEvents();
    if (!state.contact) return;
    var source = new EventSource(API + '/events?contactId=' + encodeURIComponent(state.contact.id));
    state.events = source;
    source.addEventListener('open', function () {
      if (state.streamDown) {
        state.streamDown = false;
        showBanner('');
      }
    });
    source.addEventListener('message', function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message && message.id) showMessage(message);
    });
    source.addEventListener('reset', function () {
      // The sandbox was reset: the conversation is gone and what follows is a new one.
      state.runs = [];
      store(runsKey(state.identity.phone), null);
      clearMessages();
      renderRuns();
      renderUnderstood();
      setPresence();
      refreshCalendar();
    });
    source.addEventListener('error', function () {
      if (source.readyState !== EventSource.CLOSED || state.events !== source) return; // the browser reconnects by itself
      state.streamDown = true;
      showBanner('The conversation stream stopped; trying again…');
      state.eventsRetry = setTimeout(openEvents, 5000);
    });
  }

  function bubbleFor(id) {
    return el.messages.querySelector('li.msg[data-id="' + (window.CSS && CSS.escape ? CSS.escape(id) : id) + '"]');
  }

  /** One chat bubble: `inbound` is the customer (you, on the right), `outbound` the business's bot. */
  function makeBubble(message) {
    var mine = message.direction === 'inbound';
    var li = make('li', 'msg ' + (mine ? 'out' : 'in'));
    if (message.id) li.dataset.id = message.id;
    if (mine) li.appendChild(make('span', 'visually-hidden', 'You: '));
    else li.appendChild(make('span', 'who', 'Sandbox business'));
    li.appendChild(make('span', 'body', message.body));
    var meta = make('span', 'meta');
    var time = make('time', null, clockTime(message.dateAdded));
    time.setAttribute('datetime', message.dateAdded);
    meta.appendChild(time);
    if (mine) {
      var tick = make('span', 'tick');
      tick.setAttribute('aria-hidden', 'true');
      meta.appendChild(tick);
      meta.appendChild(make('span', 'visually-hidden tick-label'));
    }
    li.appendChild(meta);
    setBubbleStatus(li, message.status);
    return li;
  }

  function setBubbleStatus(li, status, why) {
    var tick = li.querySelector('.tick');
    li.classList.toggle('failed', status === 'failed');
    li.classList.toggle('sending', status === 'sending');
    if (tick) {
      tick.className = 'tick ' + (status || '');
      tick.textContent = status === 'failed' ? '!' : status === 'sending' ? '…' : '✓';
      li.querySelector('.tick-label').textContent = status === 'failed' ? ' not delivered' : status === 'sending' ? ' sending' : ' delivered';
    }
    var note = li.querySelector('.problem');
    if (why) {
      if (!note) li.appendChild(note = make('span', 'problem'));
      note.textContent = why;
    } else if (note && status !== 'failed') {
      note.remove();
    }
  }

  function appendBubble(li, force) {
    var follow = force || nearBottom();
    var placeholder = el.messages.querySelector('.empty-chat');
    if (placeholder) placeholder.remove();
    el.messages.appendChild(li);
    if (follow) scrollToEnd();
  }

  /** A message from the stream: new ones become bubbles (once per id); known ones only update their status. */
  function showMessage(message) {
    if (state.seen.has(message.id)) {
      var known = bubbleFor(message.id);
      // Only ever to `failed` (the ingest refused it): a replay must not undo what the POST's answer said.
      if (known && message.status === 'failed') setBubbleStatus(known, 'failed');
      return;
    }
    state.seen.add(message.id);
    if (message.direction === 'inbound') {
      // Our own message may be on screen already, waiting for the sandbox's answer: it is this one.
      var pending = Array.prototype.find.call(el.messages.querySelectorAll('li.msg.out.sending:not([data-id])'), function (li) {
        return li.querySelector('.body').textContent === message.body;
      });
      if (pending) {
        pending.dataset.id = message.id;
        setBubbleStatus(pending, message.status);
        return;
      }
    } else {
      setPresence();
    }
    appendBubble(makeBubble(message), message.direction === 'inbound');
  }

  // ---------------------------------------------------------------- sending

  function autoGrow() {
    el.input.style.height = 'auto';
    el.input.style.height = Math.min(el.input.scrollHeight + 2, 140) + 'px';
  }

  function onComposerKey(event) {
    if (event.key !== 'Enter' || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
    event.preventDefault();
    el.composer.requestSubmit();
  }

  function onComposerSubmit(event) {
    event.preventDefault();
    var text = el.input.value;
    if (!text.trim() || !state.identity) return;
    el.input.value = '';
    autoGrow();
    el.input.focus();
    send(text);
  }

  function send(text) {
    var identity = state.identity;
    var li = makeBubble({ id: null, direction: 'inbound', body: text, dateAdded: new Date().toISOString(), status: 'sending' });
    appendBubble(li, true);
    state.pendingLocal += 1;
    setPresence();
    var body = { name: identity.name, phone: identity.phone, body: text };
    if (locationParam()) body.locationId = locationParam();
    api('POST', '/messages', body).then(function (answer) {
      var data = answer.data || {};
      var sent = data.sent;
      if (sent && sent.id) {
        // The stream may have shown it first (as this bubble, or as its own one).
        var other = bubbleFor(sent.id);
        if (other && other !== li) li.remove();
        else li.dataset.id = sent.id;
        state.seen.add(sent.id);
        li = other || li;
      }
      if (data.contact && state.contact && data.contact.id !== state.contact.id) {
        // The sandbox was reset and the contact made anew: follow the new one.
        state.contact = data.contact;
        openEvents();
        refreshCalendar();
      }
      if (!answer.ok) {
        setBubbleStatus(li, 'failed', problem(answer));
        if (answer.status === 503) showBanner(problem(answer));
        return;
      }
      setBubbleStatus(li, (sent && sent.status) || 'delivered');
      var ingest = (data.webhook && data.webhook.body) || {};
      if (ingest.workflow_run_id) {
        trackRun(ingest.workflow_run_id, text);
      } else if (ingest.status === 'ignored') {
        setBubbleStatus(li, 'delivered', 'The ingest ignored it: ' + (ingest.message || 'no reason given'));
      }
    }, function (err) {
      setBubbleStatus(li, 'failed', 'The sandbox could not be reached: ' + err.message);
      if (!el.input.value) {
        el.input.value = text;
        autoGrow();
      }
    }).then(function () {
      state.pendingLocal -= 1;
      setPresence();
    });
  }

  // ---------------------------------------------------------------- runs

  function loadRuns() {
    var saved = recall(runsKey(state.identity.phone));
    state.runs = Array.isArray(saved) ? saved.filter(function (r) { return r && typeof r.id === 'string'; }).slice(0, MAX_RUNS) : [];
    renderRuns();
    renderUnderstood();
    state.runs.forEach(function (run) {
      if (!run.record || TERMINAL.indexOf(run.record.final_state) < 0) pollRun(run, 0);
    });
  }

  function saveRuns() {
    if (!state.identity) return;
    store(runsKey(state.identity.phone), state.runs.map(function (r) {
      return { id: r.id, text: r.text, at: r.at, record: r.record };
    }));
  }

  function trackRun(id, text) {
    if (state.runs.some(function (r) { return r.id === id; })) return;
    var run = { id: id, text: text, at: new Date().toISOString(), record: null };
    state.runs.unshift(run);
    state.runs.length = Math.min(state.runs.length, MAX_RUNS);
    saveRuns();
    renderRuns();
    setPresence();
    pollRun(run, 0);
  }

  /** GET /runs/:id (proxied) until the run has a final state, a little slower each time. */
  function pollRun(run, attempt) {
    var phone = state.identity && state.identity.phone;
    var again = function () {
      if (attempt >= 150) {
        run.gaveUp = true;
        renderRuns();
        setPresence();
        return;
      }
      setTimeout(function () { pollRun(run, attempt + 1); }, Math.min(400 + attempt * 150, 2000));
    };
    api('GET', '/runs/' + encodeURIComponent(run.id)).then(function (answer) {
      if (!state.identity || state.identity.phone !== phone || state.runs.indexOf(run) < 0) return; // someone else now
      var record = answer.data;
      if (answer.ok && record && typeof record.final_state === 'string') {
        run.record = record;
        run.problem = null;
        saveRuns();
        renderRuns();
        renderUnderstood();
        setPresence();
        if (TERMINAL.indexOf(record.final_state) >= 0) {
          refreshCalendar();
          return;
        }
      } else if (!answer.ok) {
        run.problem = problem(answer);
        renderRuns();
      }
      again();
    }, again);
  }

  function renderRuns() {
    el.runsEmpty.hidden = state.runs.length > 0;
    var fragment = document.createDocumentFragment();
    state.runs.forEach(function (run) {
      var record = run.record;
      var finalState = record ? record.final_state : 'queued';
      var li = make('li', 'run');
      li.dataset.run = run.id;
      var head = make('div', 'run-head');
      head.appendChild(make('span', 'run-id', run.id));
      head.appendChild(make('span', 'badge ' + finalState, finalState.replace(/_/g, ' ')));
      li.appendChild(head);
      var said = make('p', 'run-text', '“' + run.text + '”');
      said.title = run.text;
      li.appendChild(said);
      if (record && record.nodes_executed && record.nodes_executed.length) {
        var nodes = make('ol', 'nodes');
        nodes.setAttribute('aria-label', 'Nodes executed');
        record.nodes_executed.forEach(function (node) { nodes.appendChild(make('li', null, node)); });
        li.appendChild(nodes);
      }
      var foot;
      if (record && TERMINAL.indexOf(record.final_state) >= 0) {
        var parts = [];
        if (typeof record.execution_time === 'number') parts.push('execution_time ' + record.execution_time.toFixed(2) + ' s');
        parts.push(record.result && record.result.booking_created ? 'booking created' : 'no booking');
        if (record.attempts > 1) parts.push(record.attempts + ' attempts');
        foot = parts.join(' · ');
        var action = describeAction(record.result);
        if (action) li.appendChild(make('p', 'run-action', action));
        var due = record.result && record.result.follow_up_at;
        if (due && run === state.runs[0] && Date.parse(due) > Date.now()) {
          li.appendChild(make('p', 'run-follow-up', 'follow-up due ' + formatWhen(due) + ' unless you answer'));
        }
      } else {
        foot = run.gaveUp ? 'still not finished; stopped asking' : (finalState === 'running' ? 'the worker is on it…' : 'waiting for a worker…');
      }
      li.appendChild(make('p', 'run-foot', foot));
      var error = (record && record.error && record.error.message) || run.problem;
      if (error) li.appendChild(make('p', 'run-error', error));
      fragment.appendChild(li);
    });
    el.runs.textContent = '';
    el.runs.appendChild(fragment);
  }

  /** "rescheduled: Tue 2 Dec 15:00 → Tue 2 Dec 16:00", "cancelled: Tue 2 Dec 16:30", … from the run's result. */
  function describeAction(result) {
    if (!result || !result.action) return null;
    var before = result.appointment_before && result.appointment_before.scheduled_time;
    var after = result.scheduled_time;
    if (result.action === 'rescheduled' && before && after) return 'rescheduled: ' + formatWhen(before) + ' → ' + formatWhen(after);
    if (result.action === 'cancelled' && before) return 'cancelled: ' + formatWhen(before);
    if (result.action === 'booked' && after) return 'booked: ' + formatWhen(after);
    return result.action.replace(/_/g, ' ');
  }

  var LANGUAGES = { en: 'English (en)', es: 'Spanish (es)' };

  function renderUnderstood() {
    var latest = state.runs.filter(function (r) { return r.record && r.record.result; })[0];
    var lastRun = state.runs.filter(function (r) { return r.record; })[0];
    var result = latest ? latest.record.result : null;
    var customer = (result && result.customer) || {};
    var facts = {
      name: customer.name,
      goal: customer.goal,
      budget: typeof customer.budget === 'number' ? customer.budget.toLocaleString('en-US') : null,
      booking: result && result.scheduled_time ? formatWhen(result.scheduled_time) : null,
      language: customer.language ? LANGUAGES[customer.language] || customer.language : null,
      state: lastRun ? lastRun.record.final_state.replace(/_/g, ' ') : null,
    };
    Object.keys(facts).forEach(function (key) {
      var dd = document.querySelector('[data-fact="' + key + '"]');
      var value = facts[key];
      dd.textContent = value === null || value === undefined || value === '' ? 'not yet' : String(value);
      dd.classList.toggle('unknown', value === null || value === undefined || value === '');
    });
  }

  // ---------------------------------------------------------------- calendar

  function refreshCalendar() {
    clearTimeout(state.calendarTimer);
    state.calendarTimer = setTimeout(refreshCalendar, CALENDAR_EVERY_MS);
    var other = locationParam();
    var who = state.contact ? '&contactId=' + encodeURIComponent(state.contact.id) : '';
    return api('GET', '/calendar?days=5' + (other ? '&locationId=' + encodeURIComponent(other) : '') + who).then(function (answer) {
      el.calendar.setAttribute('aria-busy', 'false');
      if (!answer.ok) {
        el.calendar.textContent = '';
        el.calendar.appendChild(make('p', 'muted', problem(answer)));
        return;
      }
      renderCalendar(answer.data);
    }, function () { /* next time */ });
  }

  function renderCalendar(data) {
    var zone = data.timeZone;
    el.calendarZone.textContent = 'times in ' + zone + ', ' + data.slotMinutes + ' min slots';
    var dayFmt = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
    var timeFmt = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: zone });
    var mineId = state.contact && state.contact.id;
    var fragment = document.createDocumentFragment();
    data.days.forEach(function (day) {
      var section = make('section', 'day');
      var title = dayFmt.format(new Date(day.date + 'T12:00:00Z'));
      section.appendChild(make('h3', null, title));
      var shown = day.slots.filter(function (s) { return s.status !== 'past'; });
      if (!shown.length) {
        section.appendChild(make('p', 'day-empty', 'No more slots today.'));
      } else {
        var list = make('ul', 'slots');
        shown.forEach(function (slot) {
          var mine = slot.appointment && slot.appointment.contactId === mineId;
          var time = timeFmt.format(new Date(slot.start));
          var li = make('li', 'slot ' + (mine ? 'mine' : slot.status), time);
          li.dataset.start = slot.start;
          var label = title + ' ' + time + ': ' + (mine ? 'booked for you' : slot.status);
          if (slot.appointment && !mine && slot.appointment.contactName) label += ' (' + slot.appointment.contactName + ')';
          li.setAttribute('aria-label', label);
          li.title = label;
          list.appendChild(li);
        });
        section.appendChild(list);
      }
      fragment.appendChild(section);
    });
    // The visitor's own appointments, cancelled ones too: a move shows as the same appointment at its new time.
    if (data.yours && data.yours.length) {
      var yours = make('section', 'yours');
      yours.appendChild(make('h3', null, 'Your appointments'));
      var items = make('ul', 'your-appointments');
      data.yours.forEach(function (a) {
        var when = dayFmt.format(new Date(a.startTime.slice(0, 10) + 'T12:00:00Z')) + ' ' + timeFmt.format(new Date(a.startTime));
        var li = make('li', 'appointment ' + a.appointmentStatus, when + ' · ' + a.appointmentStatus);
        li.dataset.id = a.id;
        li.dataset.start = a.startTime;
        items.appendChild(li);
      });
      yours.appendChild(items);
      fragment.insertBefore(yours, fragment.firstChild);
    }
    el.calendar.textContent = '';
    el.calendar.appendChild(fragment);
  }

  // ---------------------------------------------------------------- status

  function refreshStatus() {
    if (document.hidden || !state.config || !state.config.enabled) {
      setTimeout(refreshStatus, STATUS_EVERY_MS);
      return;
    }
    api('GET', '/status').then(function (answer) {
      var s = answer.data || {};
      if (answer.ok) {
        document.querySelectorAll('[data-stat]').forEach(function (dd) {
          var key = dd.getAttribute('data-stat');
          var value = s[key];
          if (key === 'average_processing_time' && typeof value === 'number') value = value.toFixed(2) + ' s';
          dd.textContent = value === null || value === undefined ? '–' : String(value);
        });
        el.statsNote.textContent = '';
      } else {
        el.statsNote.textContent = 'ingest: ' + problem(answer);
      }
    }, function () {
      el.statsNote.textContent = 'the sandbox is not answering';
    }).then(function () { setTimeout(refreshStatus, STATUS_EVERY_MS); });
  }

  // ---------------------------------------------------------------- start

  function init() {
    el.identity.addEventListener('submit', onIdentitySubmit);
    el.composer.addEventListener('submit', onComposerSubmit);
    el.input.addEventListener('keydown', onComposerKey);
    el.input.addEventListener('input', autoGrow);
    el.change.addEventListener('click', changeIdentity);
    el.suggestions.querySelectorAll('button[data-text]').forEach(function (button) {
      button.title = button.getAttribute('data-text');
      button.addEventListener('click', function () {
        el.input.value = button.getAttribute('data-text');
        autoGrow();
        el.input.focus();
      });
    });

    el.location.addEventListener('change', refreshCalendar); // preview the picked location's calendar

    api('GET', '/config').then(function (answer) {
      state.config = answer.data || {};
      el.businessPhone.textContent = state.config.businessPhone || '';
      var all = locations();
      if (all.length > 1) {
        all.forEach(function (l) {
          var option = make('option', null, l.name + ' (' + l.timeZone + ')');
          option.value = l.id;
          el.location.appendChild(option);
        });
        el.locationField.hidden = false;
      }
      setPresence();
      refreshCalendar();
      refreshStatus();
      if (!state.config.enabled) {
        showBanner(state.config.reason || 'The chat is off.');
        el.identity.querySelector('button[type=submit]').disabled = true;
        return;
      }
      var saved = recall('wab.chat.identity');
      if (saved && saved.name && E164.test(saved.phone || '')) {
        el.name.value = saved.name;
        el.phone.value = saved.phone;
        if (all.some(function (l) { return l.id === saved.locationId; })) el.location.value = saved.locationId;
        startChat(saved, false);
      } else {
        el.name.focus();
      }
    }, function (err) {
      showBanner('The sandbox could not be reached: ' + err.message);
    });
  }

  init();
})();
