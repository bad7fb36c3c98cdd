{
    "message": "Job plan does not exist",
    "code": 1244012,
    "data": None,
    "result": False,
    "request_id": "1e4825b1f0354e509d2bc25eb172f8dc",
}
