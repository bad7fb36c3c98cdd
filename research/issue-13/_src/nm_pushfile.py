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
                                "total_time": 0.001,
                                "ip": "127.0.0.1",
                                "start_time": "2019-08-12 19:04:07 +0800",
                                "log_content": "\u30102019-08-12 19:04:07.757\u3011 FileName\uff1a/data/dev_"
                                "pipeline_unit_test  FileSize\uff1a9.0 Byte  State\uff1adownload"
                                "  Speed\uff1a1KB/s  Progress\uff1a100%  Detail\uff1asucc\n\u3010"
                                "2019-08-12 19:04:07.757\u3011 FileName\uff1a/data/dev_pipeline_"
                                "unit_test  FileSize\uff1a9.0 Byte  State\uff1aupload  Speed\uff1a"
                                "1KB/s  Progress\uff1a100%  Detail\uff1aSuccess\n",
                                "exit_code": 0,
                                "bk_cloud_id": 0,
                                "retry_count": 0,
                                "end_time": "2019-08-12 19:04:07 +0800",
                                "error_code": 0,
                            }
                        ],
                        "ip_status": 9,
                    }
                ],
                "is_finished": True,
                "step_instance_id": 33148,
                "name": "API Quick Distribution File1565607846461",
            }
        ],
        "result": True,
        "request_id": "7ef168e42a384e90a38e2d1966858ee5",
    }
