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
                                "start_time": "2019-08-12 16:24:36 +0800",
                                "log_content": "\u30102019-08-12 16:24:37.027\u3011 \u3010Upload source files\u3011"
                                "FileName\uff1adev_pipeline_unit_test  FileSize\uff1a9.0 Byte  "
                                "State\uff1aupload  Speed\uff1a1KB/s  Progress\uff1a100%  Detail"
                                "\uff1aSuccess\n\u30102019-08-12 16:24:37.027\u3011 FileName\uff1a"
                                "/data/dev_pipeline_unit_test  FileSize\uff1a9.0 Byte  State\uff1a"
                                "download  Speed\uff1a1KB/s  Progress\uff1a100%  Detail\uff1asucc\n",
                                "exit_code": 0,
                                "bk_cloud_id": 0,
                                "retry_count": 0,
                                "end_time": "2019-08-12 16:24:36 +0800",
                                "error_code": 0,
                            }
                        ],
                        "ip_status": 9,
                    }
                ],
                "is_finished": True,
                "step_instance_id": 33075,
                "name": "API GSE PUSH FILE1565598275635",
            }
        ],
        "result": True,
        "request_id": "cd4b97a55e394f67893048f947895396",
    }
