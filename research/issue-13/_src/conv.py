import ast, json, sys
# usage: conv.py in.pydict out.json  -- converts a Python literal (True/False/None) to JSON, key order kept
src = open(sys.argv[1], encoding='utf-8').read()
obj = ast.literal_eval(src)
open(sys.argv[2], 'w', encoding='utf-8').write(json.dumps(obj, ensure_ascii=False, indent=4) + "\n")
print("ok", sys.argv[2])
