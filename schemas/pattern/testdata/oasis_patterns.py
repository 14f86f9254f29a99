# Reads a JSON list of STIX patterns on stdin and prints, for each, the
# errors the OASIS stix2-validator (v2.1 MUST checks, which run the OASIS
# pattern validator) reports for an indicator holding it. Used by
# oasis_test.go as an independent oracle.
import json, sys
from stix2patterns.validator import run_validator
from stix2validator.v21.musts import patterns as must_patterns
from stix2validator import ValidationOptions

opts = ValidationOptions(version='2.1')
out = []
for p in json.load(sys.stdin):
    inst = {'type': 'indicator', 'id': 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f',
            'pattern_type': 'stix', 'pattern': p, 'spec_version': '2.1'}
    try:
        errs = [str(e) for e in must_patterns(inst, opts)]
    except Exception as e:  # the validator itself crashed on this input
        errs = ['crash: %r' % e]
    out.append(errs)
json.dump(out, sys.stdout)
