"""Delivers CloudTrail records to the trail bucket the way CloudTrail does.

Records wait `delay` seconds (CloudTrail's delivery latency, typically 5 to
15 minutes in real accounts; seconds here), then go out as one gzip file per
region holding {"Records": [...]} in no particular order, under the real key
layout:

  AWSLogs/ACCT/CloudTrail/REGION/YYYY/MM/DD/ACCT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz

Every `digest_every` log files of a region a digest file follows, under
AWSLogs/ACCT/CloudTrail-Digest/..., which a reader must skip. With
`duplicate_every` = N, every Nth record is delivered a second time in a later
file, as CloudTrail occasionally does.

Thread-safe: submit() may be called from any thread; one background thread
writes. stop() delivers whatever is still pending.
"""

import datetime
import gzip
import hashlib
import json
import random
import string
import threading
import time

_UNIQUE_ALPHABET = string.ascii_letters + string.digits


def log_file_key(account_id, region, when, unique):
    return (f"AWSLogs/{account_id}/CloudTrail/{region}/{when:%Y/%m/%d}/"
            f"{account_id}_CloudTrail_{region}_{when:%Y%m%dT%H%M}Z_{unique}.json.gz")


def digest_file_key(account_id, region, trail_name, when):
    return (f"AWSLogs/{account_id}/CloudTrail-Digest/{region}/{when:%Y/%m/%d}/"
            f"{account_id}_CloudTrail-Digest_{region}_{trail_name}_{region}_{when:%Y%m%dT%H%M%S}Z.json.gz")


class TrailDelivery:
    def __init__(self, s3_client, bucket, account_id, delay=5.0, digest_every=3,
                 trail_name="management-events", duplicate_every=0, seed=None):
        self._s3 = s3_client
        self._bucket = bucket
        self._account_id = account_id
        self._delay = float(delay)
        self._digest_every = int(digest_every)
        self._trail_name = trail_name
        self._duplicate_every = int(duplicate_every)
        self._rng = random.Random(seed)
        self._lock = threading.Condition()
        self._pending = []          # (due_time, record)
        self._submitted = 0
        self._files_by_region = {}  # region -> [(key, sha256, oldest, newest)] since last digest
        self._delivered_keys = []
        self._delivered_records = 0
        self._errors = []
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="trail-delivery", daemon=True)

    # ---- public -----------------------------------------------------------
    def start(self):
        self._thread.start()
        return self

    def stop(self):
        with self._lock:
            self._stopping = True
            self._lock.notify_all()
        self._thread.join(timeout=30)
        self._deliver(force=True)

    def submit(self, record):
        with self._lock:
            self._submitted += 1
            due = time.monotonic() + self._delay
            self._pending.append((due, record))
            if self._duplicate_every and self._submitted % self._duplicate_every == 0:
                self._pending.append((due + max(self._delay, 0.5), record))
            self._lock.notify_all()

    def flush(self):
        """Delivers everything pending now, ignoring the delay."""
        self._deliver(force=True)

    def pending_count(self):
        with self._lock:
            return len(self._pending)

    def stats(self):
        with self._lock:
            return {"submitted": self._submitted, "pending": len(self._pending),
                    "delivered_records": self._delivered_records,
                    "log_files": [k for k in self._delivered_keys if "/CloudTrail/" in k],
                    "digest_files": [k for k in self._delivered_keys if "/CloudTrail-Digest/" in k],
                    "errors": list(self._errors)}

    # ---- internals --------------------------------------------------------
    def _run(self):
        while True:
            with self._lock:
                if self._stopping:
                    return
                now = time.monotonic()
                next_due = min((d for d, _ in self._pending), default=None)
                if next_due is None or next_due > now:
                    timeout = 0.5 if next_due is None else min(0.5, next_due - now)
                    self._lock.wait(timeout=timeout)
                    continue
            self._deliver(force=False)

    def _take_due(self, force):
        with self._lock:
            now = time.monotonic()
            due = [r for d, r in self._pending if force or d <= now]
            self._pending = [(d, r) for d, r in self._pending if not (force or d <= now)]
            return due

    def _deliver(self, force):
        records = self._take_due(force)
        by_region = {}
        for r in records:
            by_region.setdefault(r.get("awsRegion", "us-east-1"), []).append(r)
        for region, recs in by_region.items():
            self._rng.shuffle(recs)  # CloudTrail files are not in time order
            try:
                self._write_log_file(region, recs)
            except Exception as e:  # moto down: keep the records, try again later
                with self._lock:
                    self._errors.append(repr(e))
                    self._pending.extend((time.monotonic() + 1.0, r) for r in recs)

    def _put(self, key, payload):
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=payload,
                            ContentType="application/octet-stream")

    def _write_log_file(self, region, records):
        now = datetime.datetime.now(datetime.timezone.utc)
        unique = "".join(self._rng.choice(_UNIQUE_ALPHABET) for _ in range(16))
        key = log_file_key(self._account_id, region, now, unique)
        payload = gzip.compress(json.dumps({"Records": records}, separators=(",", ":")).encode())
        self._put(key, payload)
        times = sorted(r["eventTime"] for r in records)
        with self._lock:
            self._delivered_keys.append(key)
            self._delivered_records += len(records)
            files = self._files_by_region.setdefault(region, [])
            files.append((key, hashlib.sha256(payload).hexdigest(), times[0], times[-1]))
            write_digest = self._digest_every > 0 and len(files) >= self._digest_every
            if write_digest:
                self._files_by_region[region] = []
        if write_digest:
            self._write_digest(region, files, now)

    def _write_digest(self, region, files, now):
        key = digest_file_key(self._account_id, region, self._trail_name, now)
        doc = {
            "awsAccountId": self._account_id,
            "digestStartTime": min(f[2] for f in files),
            "digestEndTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "digestS3Bucket": self._bucket,
            "digestS3Object": key,
            "digestPublicKeyFingerprint": hashlib.md5(self._account_id.encode()).hexdigest(),
            "digestSignatureAlgorithm": "SHA256withRSA",
            "newestEventTime": max(f[3] for f in files),
            "oldestEventTime": min(f[2] for f in files),
            "previousDigestS3Bucket": None,
            "previousDigestS3Object": None,
            "previousDigestHashValue": None,
            "previousDigestHashAlgorithm": None,
            "previousDigestSignature": None,
            "logFiles": [{"s3Bucket": self._bucket, "s3Object": k, "hashValue": h,
                          "hashAlgorithm": "SHA-256", "newestEventTime": n, "oldestEventTime": o}
                         for k, h, o, n in files],
        }
        self._put(key, gzip.compress(json.dumps(doc).encode()))
        with self._lock:
            self._delivered_keys.append(key)
