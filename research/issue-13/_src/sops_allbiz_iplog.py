{
        "message": "",
        "code": 0,
        "data": {
            "ip": "192.168.20.218",
            "log_content": "[2021-05-12 15:01:34][PID:15340] job_start\n",
            "bk_cloud_id": 0,
        },
        "result": True,
        "request_id": "3e6b4764ff9d40eaa2797428a0de6b8f",
    }
