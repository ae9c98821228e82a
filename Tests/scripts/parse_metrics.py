#!/usr/bin/env python3
"""Fetch a Prometheus text exposition and parse it with the official client's parser.

Usage: parse_metrics.py URL
Prints one JSON object: {family name: {"type": ..., "samples": [[sample name, labels, value], ...]}}.
Exits non-zero (with the parser's message) if the exposition does not parse.
"""
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

text = urllib.request.urlopen(sys.argv[1], timeout=10).read().decode("utf-8")
families = {}
for family in text_string_to_metric_families(text):
    families[family.name] = {
        "type": family.type,
        "samples": [[s.name, s.labels, s.value] for s in family.samples],
    }
json.dump(families, sys.stdout)
