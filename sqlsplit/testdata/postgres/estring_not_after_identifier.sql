SELECT somenamE'a\'; SELECT 2;
