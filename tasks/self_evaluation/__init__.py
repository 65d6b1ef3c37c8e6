"""The district's self-evaluation for the city (市对区政府履行教育职责自查自评, 实施方案 §一(四)): the report filed to
the city by mid-May (`report.py`), and its problem list followed until each problem is closed (`problems.py`)."""
