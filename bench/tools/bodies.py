#!/usr/bin/env python3
"""Request bodies for the wrk scenarios, one JSON document per line.

    bodies.py query FILE.graphql [VARIABLES_JSON]       one body
    bodies.py accounts N COUNT IDS_OUT BODIES_OUT       COUNT account(id) bodies for seeded
                                                        accounts spread over 1..N, and their ids
    bodies.py list URL TOKEN FILE.graphql PAGES         filtered, paginated list bodies: for each
                                                        filter, the first PAGES pages, walking
                                                        endCursor through the live server
    bodies.py post URL TOKEN BODY                       POSTs one body, prints the answer
    bodies.py portfolio-summary ANSWER                  one line about a portfolio answer
"""
import base64
import json
import sys
import urllib.request

# The filters the list scenario rotates through: single and combined criteria, and a text search.
FILTERS = [
    {'touchTiers': ['HIGH']},
    {'industries': ['Apparel', 'Beauty']},
    {'lifecycleStages': ['RENEWAL'], 'touchTiers': ['LOW', 'TECH']},
    {'plans': ['Growth'], 'industries': ['Grocery']},
    {'search': 'globex'},
]


def body(query, variables=None):
    doc = {'query': query}
    if variables:
        doc['variables'] = variables
    return json.dumps(doc, separators=(',', ':'))


def account_gid(i):
    """The global id of seeded account i (uuid ac000000-…-i, see seed/postgres.sql)."""
    h = 'ac' + format(i, '030x')
    uuid = f'{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}'
    return base64.urlsafe_b64encode(f'Account:{uuid}'.encode()).decode().rstrip('=')


def post(url, token, data):
    req = urllib.request.Request(url, data=data.encode(), method='POST', headers={
        'Content-Type': 'application/json', 'Authorization': f'Bearer {token}'})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def main():
    cmd = sys.argv[1]
    if cmd == 'query':
        variables = json.loads(sys.argv[3]) if len(sys.argv) > 3 else None
        print(body(open(sys.argv[2]).read(), variables))
    elif cmd == 'accounts':
        n, count, ids_out, bodies_out = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
        query = open(sys.argv[6]).read() if len(sys.argv) > 6 else None
        count = min(count, n)
        # a fixed stride through 1..N, so the picks are spread and the same on every run
        picks = [1 + (k * 7919) % n for k in range(count)]
        with open(ids_out, 'w') as ids:
            ids.writelines(account_gid(i) + '\n' for i in picks)
        if query:
            with open(bodies_out, 'w') as out:
                out.writelines(body(query, {'id': account_gid(i)}) + '\n' for i in picks)
    elif cmd == 'list':
        url, token, query, pages = sys.argv[2], sys.argv[3], open(sys.argv[4]).read(), int(sys.argv[5])
        for f in FILTERS:
            after = None
            for _ in range(pages):
                line = body(query, {'filter': f, 'after': after})
                answer = post(url, token, line)
                if answer.get('errors'):
                    sys.exit(f'the list query failed: {answer["errors"]}')
                print(line)
                info = answer['data']['accounts']['pageInfo']
                if not info['hasNextPage']:
                    break
                after = info['endCursor']
    elif cmd == 'portfolio-summary':
        p = json.loads(sys.argv[2])['data']['portfolio']
        movers, renewals = p.get('topMovers'), p.get('renewals') or {}
        statuses = ', '.join(f'{s["status"]} {s["count"]}' for s in p.get('statusCounts', []))
        line = (f'{p.get("accounts")} accounts ({statuses}), '
                f'{len(movers) if movers is not None else "no"} top movers, '
                f'{renewals.get("count")} renewals in the window')
        if movers == []:
            line += ' (WARNING: no top movers: the data set gives nothing to rank)'
        print(line)
    elif cmd == 'post':
        print(json.dumps(post(sys.argv[2], sys.argv[3], sys.argv[4])))
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main()
