"""Prints each failed test of the given trx files (name, message, the top of its stack trace).

scripts/test prints this last, so that the tail of a CI log names what failed and why.
"""
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
STACK_LINES = 8

failed = 0
for path in sys.argv[1:]:
    for result in ET.parse(path).getroot().iterfind(".//t:UnitTestResult", NS):
        if result.get("outcome") != "Failed":
            continue
        failed += 1
        message = result.findtext("t:Output/t:ErrorInfo/t:Message", "", NS).strip()
        stack = result.findtext("t:Output/t:ErrorInfo/t:StackTrace", "", NS).strip().splitlines()
        print(f"FAILED {result.get('testName')} ({result.get('duration')})")
        print("  " + message.replace("\n", "\n  "))
        for line in stack[:STACK_LINES]:
            print("  " + line.strip())
print(f"{failed} failed test(s) in {len(sys.argv) - 1} result file(s)")
