# model fuzz7003, as PyTorch computes it (written by gen_print_torch)
def loss_fn(t):
    x = t["x"]
    y = t["y"].long()
    p1 = t["p1"]
    v1 = torch.sum(torch.relu(torch.sqrt((torch.abs(torch.matmul(x, p1)) + torch.tensor(0.5)))))
    p2 = t["p2"]
    v2 = ((torch.relu((v1 / ((v1 * v1) + torch.tensor(1)))) / torch.exp(torch.tanh(p2))) + p2)
    p3 = t["p3"]
    v3 = ((torch.softmax(torch.log((torch.sigmoid((-torch.sqrt((torch.abs(v2) + torch.tensor(0.5))))) + torch.tensor(0.5))), -1) * p2) * p3)
    p4 = t["p4"]
    logits = torch.matmul(x, p4)
    return F.cross_entropy(logits, y) + (torch.tensor(0.01) * torch.mean((p4 * p4))) + (torch.tensor(0.01) * torch.mean((p3 * p3)))
