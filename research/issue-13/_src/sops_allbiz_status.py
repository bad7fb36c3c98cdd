{
        "message": "",
        "code": 0,
        "data": {
            "job_instance": {
                "job_instance_id": 10000,
                "bk_biz_id": 2,
                "name": "全业务_执行方案作业测试",
                "start_time": 1620802889923,
                "create_time": 1620802889072,
                "status": 3,
                "end_time": 1620802895090,
                "total_time": 5167,
            },
            "finished": True,
            "step_instance_list": [
                {
                    "status": 3,
                    "total_time": 3869,
                    "name": "步骤执行脚本_1",
                    "start_time": 1620802889999,
                    "step_instance_id": 20000000577,
                    "step_ip_result_list": [
                        {
                            "status": 9,
                            "total_time": 1352,
                            "ip": "192.168.20.218",
                            "start_time": 1620802890474,
                            "exit_code": 0,
                            "bk_cloud_id": 0,
                            "tag": "tag1",
                            "end_time": 1620802891826,
                            "error_code": 0,
                        }
                    ],
                    "create_time": 1620802889109,
                    "end_time": 1620802893836,
                    "execute_count": 0,
                    "type": 1,
                },
                {
                    "status": 3,
                    "total_time": 1164,
                    "name": "步骤执行脚本_2",
                    "start_time": 1620802893919,
                    "step_instance_id": 20000000578,
                    "step_ip_result_list": [
                        {
                            "status": 9,
                            "total_time": 686,
                            "ip": "192.168.20.218",
                            "start_time": 1620802893976,
                            "exit_code": 0,
                            "bk_cloud_id": 0,
                            "tag": "tag2",
                            "end_time": 1620802894662,
                            "error_code": 0,
                        }
                    ],
                    "create_time": 1620802889109,
                    "end_time": 1620802895059,
                    "execute_count": 0,
                    "type": 1,
                },
            ],
        },
        "result": True,
        "request_id": "3d5db2fa69bb4407947414661cb5a65c",
    }
