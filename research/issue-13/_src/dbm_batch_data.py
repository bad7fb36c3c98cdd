{
    "job_instance_id": 000000,
    "file_task_logs": None,
    "script_task_logs": [
        {"host_id": 2000059954, "ipv6": None, "log_content": "xxxxx\n", "bk_cloud_id": 0, "ip": "1.1.1.1"},
        {"host_id": 2000059953, "ipv6": None, "log_content": "yyyyy\n", "bk_cloud_id": 0, "ip": "2.2.2.2"},
    ],
    "step_instance_id": 20003693380,
    "log_type": 1,
}
