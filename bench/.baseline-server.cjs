
const express = require('express');
const app = express();
app.use(express.json({ limit: '10mb' }));
app.post('/api/events', (req, res) => res.status(201).json({ id: 1, duplicate: false }));
app.post('/api/events/batch', (req, res) => res.status(201).json({ received: req.body.length, ids: req.body.map((_, i) => i), duplicates: 0, rejected: [] }));
app.get('/api/stats', (req, res) => res.json({ ok: true, total: { cost_usd: 1.23, tokens_in: 1000 } }));
const s = app.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + s.address().port));
