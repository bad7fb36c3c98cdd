{
    "code": 0,
    "job_request_id": "07ab3b72d80c9cb0294485a54aeb41c9",
    "result": True,
    "request_id": "01ae87e2-f879-499d-b6ea-a9e4601de6f5",
    "message": "",
    "data": {
        "job_instance_id": 000000,
        "job_instance_name": "fast_transfer_file_task_20230520105153641",
        "step_instance_id": 11111,
    },
}
