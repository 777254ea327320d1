/**
 * The people the bench upstream serves, shared by the upstream (which answers their records) and
 * bench/gateway.ts (which checks what each server sends back). Every record is padded with
 * workouts to about 1, 10 or 100 KB of JSON, and carries two fields the bench description does
 * not declare (`internal_notes`, each workout's `device_serial`), so the gateway's stripping has
 * work at every depth.
 *
 * The bench's JWT names `CALLER`. A third of the profiles are private and the caller follows half
 * of those, so under the full policy most records go out through the member view, one in six
 * through the card, and the caller's own through the owner's rule.
 */

export const PEOPLE = 100;
export const SIZES_KB = [1, 10, 100] as const;
export type SizeKb = (typeof SIZES_KB)[number];
export const CALLER = 'u000';

export const personId = (n: number): string => `u${String(n).padStart(3, '0')}`;

export interface Person {
  id: string;
  is_profile_private: boolean;
  follower_ids: string[];
  [field: string]: unknown;
}

/** Person `n`'s record, its JSON at least `kb` KB long. */
export function person(n: number, kb: SizeKb): Person {
  const id = personId(n);
  const workouts: Record<string, unknown>[] = [];
  const record: Person = {
    id,
    username: `rider${n}`,
    image_url: `https://images.example/${id}.png`,
    location: 'Loopback, Localhost',
    is_profile_private: n % 3 === 0,
    follower_ids: n % 6 === 0 ? [CALLER, 'u999'] : ['u999'],
    total_workouts: 0,
    age: 20 + (n % 50),
    weight: 70.5,
    birthday: '1990-01-01',
    email: `${id}@example.com`,
    internal_notes: 'flagged for review by support',
    workouts,
  };
  // Sized by adding each workout's own length, not by serialising the whole record every time.
  let size = JSON.stringify(record).length;
  while (size < kb * 1024) {
    const index = workouts.length;
    const workout = {
      id: `w-${id}-${index}`,
      ride_id: `r${index % 50}`,
      created_at: new Date(1_700_000_000_000 + index * 3_600_000).toISOString(),
      duration_seconds: 1800 + (index % 900),
      total_output: 300.5 + index,
      device_serial: `SN-${id}-${index}`,
    };
    workouts.push(workout);
    size += JSON.stringify(workout).length + 1;
  }
  record.total_workouts = workouts.length;
  return record;
}
