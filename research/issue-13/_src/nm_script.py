{
        "message": "success",
        "code": 0,
        "data": [
            {
                "status": 3,
                "step_results": [
                    {
                        "tag": "",
                        "ip_logs": [
                            {
                                "total_time": 0.0,
                                "ip": "127.0.0.1",
                                "log_content": "",
                                "exit_code": 0,
                                "bk_cloud_id": 0,
                                "retry_count": 0,
                                "error_code": 0,
                            }
                        ],
                        "ip_status": 9,
                    }
                ],
                "is_finished": True,
                "step_instance_id": 33119,
                "name": "monitor_script",
            }
        ],
        "result": True,
        "request_id": "945e985a043b4d66b88fde1e596ed7a4",
    }
